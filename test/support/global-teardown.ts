import { rmSync } from 'node:fs';
import type { RunningTemporal } from '../../infra/temporal-topology';
import { testRunDir } from './test-run-dir';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __temporalServer?: RunningTemporal }).__temporalServer?.stop();
  // The run's server database and bundle; KEEP_TEST_DATA=1 keeps them for a look after a failure.
  if (process.env.KEEP_TEST_DATA !== '1') rmSync(testRunDir, { recursive: true, force: true });
}
