/**
 * One Temporal server per run (global setup) of the topology in TEST_TOPOLOGY: `dev` (the CLI dev server, SQLite) or
 * `cluster` (the Temporal server on PostgreSQL); `npm test` runs once per topology. Every test file brings its own
 * worker and task queue. The cluster run takes the suites whose behaviour depends on the server (payments,
 * reservations, API routes, provider plugins, the Web UI, card data, reconciliation and the operator page, metrics and traces, chaos); unit,
 * sandbox and replay tests need no second run.
 */
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const shared = {
  transform,
  // Node, plus lines each test keeps (the SDK's expected warnings) shown only when it fails: a green run stays short.
  testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
  // Jest 30 soft-deletes a finished file's globals and warns (JEST-01) when a late SDK callback reads one; keep them.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-sdk-logs.ts'],
};
const onCluster = process.env.TEST_TOPOLOGY === 'cluster';
const mainTests = onCluster
  ? ['payments', 'reservations', 'api', 'security', 'foundation', 'plugins'].map((folder) => `<rootDir>/test/${folder}/**/*.test.ts`).concat(
      ['browser/web-ui', 'browser/ops-page', 'operations/reconciliation', 'operations/metrics', 'operations/traces', 'operations/otlp-export'].map((file) => `<rootDir>/test/${file}.test.ts`),
      // Merchant events: delivery, catch-up and isolation depend on the server; the SIGKILL test runs on dev only.
      '<rootDir>/test/events/merchant-events.test.ts',
    )
  : ['<rootDir>/test/**/*.test.ts'];
module.exports = {
  maxWorkers: 2,
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'main', testMatch: mainTests, testPathIgnorePatterns: ['/test/chaos/'] },
    { ...shared, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'] },
  ],
};
