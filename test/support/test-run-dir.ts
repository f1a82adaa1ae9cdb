import { join, resolve } from 'node:path';

/** Everything one test run writes (server DB, logs, bundle) lives here; .data/ is git-ignored. */
export const testRunDir = join(resolve(__dirname, '../..'), '.data', 'test', process.env.TEST_RUN_ID ?? `run-${process.pid}`);
