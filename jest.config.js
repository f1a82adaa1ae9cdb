/** One Temporal dev server per run (global setup); every test file brings its own worker and task queue. */
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const shared = {
  transform,
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-sdk-logs.ts'],
};
module.exports = {
  maxWorkers: 2,
  testTimeout: 120_000,
  projects: [
    { ...shared, displayName: 'main', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['/test/chaos/'] },
    { ...shared, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.test.ts'] },
  ],
};
