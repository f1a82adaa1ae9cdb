import { join } from 'node:path';
import { startCluster } from './temporal-cluster';
import { startDevServer } from './temporal-dev-server';
import type { RunningTemporal, Topology } from './temporal-topology';

export interface TemporalOptions {
  /** Everything the server keeps (SQLite file, or PostgreSQL data), its configuration and logs. */
  dataDir: string;
  namespace?: string;
  port?: number;
  uiPort?: number;
  uiCodecEndpoint?: string;
}

/** Starts the chosen topology; tests, the bench and the start scripts go through here. */
export function startTemporal(topology: Topology, options: TemporalOptions): Promise<RunningTemporal> {
  if (topology === 'cluster') return startCluster(options);
  return startDevServer({ ...options, dbFile: join(options.dataDir, 'temporal.db'), logFile: join(options.dataDir, 'temporal.log') });
}
