/**
 * The two Temporal topologies the project runs, tests and benchmarks on (DESIGN.md, Scale beyond one machine):
 * `dev` is the CLI dev server on SQLite (what `npm start` runs), `cluster` the Temporal server on PostgreSQL with
 * several history shards and SQL visibility. Both are real servers; callers see one shape.
 */
export const TOPOLOGIES = ['dev', 'cluster'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export function parseTopology(value: string | undefined, fallback: Topology = 'dev'): Topology {
  if (value === undefined || value === '') return fallback;
  if ((TOPOLOGIES as readonly string[]).includes(value)) return value as Topology;
  throw new Error(`topology must be one of ${TOPOLOGIES.join(', ')} (got "${value}")`);
}

/** A process of the topology, for CPU and memory readings (PostgreSQL counts its forked backends too). */
export interface TopologyProcess {
  role: 'server' | 'postgres' | 'ui';
  pid: number;
}

export interface RunningTemporal {
  topology: Topology;
  address: string;
  namespace: string;
  uiUrl: string;
  /** The server's Prometheus endpoint (its own counters: requests per service, store operations, caches). */
  metricsUrl: string;
  /** Clean stop of everything this topology started (SIGTERM, SIGKILL after a bound). */
  stop(): Promise<void>;
  /** SIGKILL of the Temporal server, for crash tests; its storage stays for `restart`. */
  kill(): Promise<void>;
  /** Starts the Temporal server again on the same storage and ports (after `kill`, or to restart it). */
  restart(): Promise<void>;
  processes(): TopologyProcess[];
  /** Where the server persists; plain data, so test processes other than the one that started it can search it. */
  store: PersistedStore;
}

export type PersistedStore =
  | { kind: 'sqlite'; dbFile: string }
  | { kind: 'postgres'; port: number; user: string; dataDir: string; databases: string[] };

