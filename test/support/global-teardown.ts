import { rmSync } from 'node:fs';
import type { RunningTemporal } from '../../infra/temporal-topology';
import { printChaosReport } from '../chaos/support/chaos-report';
import { testRunDir } from './test-run-dir';

export default async function globalTeardown(): Promise<void> {
  printChaosReport();
  const server = (globalThis as { __temporalServer?: RunningTemporal }).__temporalServer;
  await server?.stop();
  // PostgreSQL's data may have gone to /tmp when the project folder is private to its owner (see postgres-instance.ts).
  if (server?.store.kind === 'postgres' && process.env.KEEP_TEST_DATA !== '1') rmSync(server.store.dataDir, { recursive: true, force: true });
  // The run's server database and bundle; KEEP_TEST_DATA=1 keeps them for a look after a failure.
  if (process.env.KEEP_TEST_DATA !== '1') rmSync(testRunDir, { recursive: true, force: true });
}
