import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { findFreePort } from './free-port';
import { SEARCH_ATTRIBUTE_TYPES } from './search-attribute-types';

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

export interface RunningDevServer {
  address: string;
  namespace: string;
  uiUrl: string;
  port: number;
  uiPort: number;
  dbFile: string;
  pid: number;
  options: DevServerOptions;
  stop(): Promise<void>;
  /** SIGKILL, for crash tests; the SQLite file stays for a restart. */
  kill(): Promise<void>;
}

const projectRoot = resolve(__dirname, '..');

export function resolveTemporalCli(explicit?: string): string {
  const candidates = [explicit, process.env.TEMPORAL_CLI_PATH, join(projectRoot, '.tools', 'temporal')];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new Error('Temporal CLI not found: run `npm run setup` (it builds the CLI once) or set TEMPORAL_CLI_PATH');
}

export async function startDevServer(options: DevServerOptions): Promise<RunningDevServer> {
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await findFreePort());
  const uiPort = options.uiPort ?? (await findFreePort());
  const httpPort = await findFreePort();
  const metricsPort = await findFreePort();
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
    ...Object.entries(SEARCH_ATTRIBUTE_TYPES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : []),
  ];
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
  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, address, namespace, options.startTimeoutMs ?? 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    address,
    namespace,
    uiUrl: `http://127.0.0.1:${uiPort}`,
    port,
    uiPort,
    dbFile: options.dbFile,
    pid: child.pid ?? -1,
    options: { ...options, port, uiPort },
    stop: () => stopProcess(child, 'SIGTERM', 10_000),
    kill: () => stopProcess(child, 'SIGKILL', 5_000),
  };
}

async function waitUntilAnswering(child: ChildProcess, address: string, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode} while starting`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(`temporal server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const forceKill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(forceKill);
      done();
    });
    child.kill(signal);
  });
}
