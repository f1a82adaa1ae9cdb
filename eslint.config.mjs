import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'test/artifacts/', 'coverage/', 'bench/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no I/O, no clocks, no randomness except the SDK's.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['../activities/*/**', '../api/**', '../worker/**', '../infra/**', 'node:*', 'fs', 'crypto', 'http', 'https'] }],
    },
  },
  {
    // The bundle's modules are preloaded once per workflow thread and shared by every workflow run
    // (worker/workflow-bundle-options.ts): module-level state would leak from one payment into the next.
    files: ['workflows/**/*.ts', 'domain/**/*.ts', 'activities/payment-failure-types.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...['Program >', 'Program > ExportNamedDeclaration >'].flatMap((scope) => [
          {
            selector: `${scope} VariableDeclaration[kind!='const']`,
            message: 'Workflow modules are shared by every workflow run: no module-level let/var; keep state in the workflow.',
          },
          {
            selector: `${scope} VariableDeclaration > VariableDeclarator > NewExpression[callee.name=/^(Map|Set|WeakMap|WeakSet)$/]`,
            message: 'Workflow modules are shared by every workflow run: no module-level Map/Set; keep state in the workflow.',
          },
        ]),
      ],
    },
  },
  {
    // Dependencies run one way: infra/ is shared runtime (config, codec, observability) that worker/, api/ and
    // activities/ build on; it never reaches back into them.
    files: ['infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/worker/**', '**/activities/**', '**/api/**', '**/sandbox/**', '**/workflows/**'], message: 'infra/ must not import worker/, activities/, api/, sandbox/ or workflows/' },
          ],
        },
      ],
    },
  },
);
