import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { findStablePorts } from './free-port';
import { waitForTemporal } from './wait-for-temporal';
import { SEARCH_ATTRIBUTE_TYPES } from './search-attribute-types';
import { devServerFlags, serverDynamicConfig } from './temporal-dynamic-config';
import { stopProcess } from './child-process';
import type { RunningTemporal } from './temporal-topology';

export interface DevServerOptions {
  /** SQLite file; kept across restarts so a killed server resumes its payments. */
  dbFile: string;
  namespace?: string;
  /** Fixed ports (npm start prints stable URLs); free ports are picked when absent. */
  port?: number;
  uiPort?: number;
  /** Codec endpoint the Web UI calls to decode payloads (our API's /codec). */
  uiCodecEndpoint?: string;
  /** Where the server's own output goes; it never carries card data because card data never reaches it. */
  logFile?: string;
  cliPath?: string;
  startTimeoutMs?: number;
}

export interface RunningDevServer extends RunningTemporal {
  topology: 'dev';
  port: number;
  uiPort: number;
  dbFile: string;
  readonly pid: number;
  options: DevServerOptions;
}

const projectRoot = resolve(__dirname, '..');

export function resolveTemporalCli(explicit?: string): string {
  const candidates = [explicit, process.env.TEMPORAL_CLI_PATH, join(projectRoot, '.tools', 'temporal')];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new Error('Temporal CLI not found: run `npm run setup` (it builds the CLI once) or set TEMPORAL_CLI_PATH');
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const namespace = options.namespace ?? 'default';
  const [freePort, freeUiPort, httpPort, metricsPort] = (await findStablePorts(4)) as [number, number, number, number];
  const port = options.port ?? freePort;
  const uiPort = options.uiPort ?? freeUiPort;
  mkdirSync(dirname(options.dbFile), { recursive: true });
  const args = [
    'server', 'start-dev',
    '--ip', '127.0.0.1',
    '--port', String(port),
    '--ui-port', String(uiPort),
    '--http-port', String(httpPort),
    '--metrics-port', String(metricsPort),
    '--db-filename', options.dbFile,
    '--namespace', namespace,
    '--log-level', 'warn',
    // One SQLite connection serves every shard: WAL and no fsync keep it fast enough for dev and tests.
    '--sqlite-pragma', 'journal_mode=WAL',
    '--sqlite-pragma', 'synchronous=OFF',
    ...devServerFlags(serverDynamicConfig('dev')),
    ...Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
  const address = `127.0.0.1:${port}`;
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(resolveTemporalCli(options.cliPath), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (options.logFile) {
      mkdirSync(dirname(options.logFile), { recursive: true });
      const log = createWriteStream(options.logFile, { flags: 'a' });
      child.stdout?.pipe(log);
      child.stderr?.pipe(log);
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    try {
      await waitForTemporal(child, address, options.startTimeoutMs ?? 60_000, (connection) => connection.workflowService.describeNamespace({ namespace }));
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    return child;
  };
  let child = await launch();
  return {
    topology: 'dev',
    address,
    namespace,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    port,
    uiPort,
    dbFile: options.dbFile,
    get pid() {
      return child.pid ?? -1;
    },
    options: { ...options, port, uiPort },
    stop: () => stopProcess(child, 'SIGTERM', 10_000),
    kill: () => stopProcess(child, 'SIGKILL', 5_000),
    restart: async () => {
      await stopProcess(child, 'SIGTERM', 10_000);
      child = await launch();
    },
    processes: () => [{ role: 'server', pid: child.pid ?? -1 }],
    store: { kind: 'sqlite', dbFile: options.dbFile },
  };
}

