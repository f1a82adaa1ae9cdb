import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stopProcess } from './child-process';
import { findPortForChild } from './free-port';

export interface PostgresOptions {
  /** PostgreSQL's data directory (created with initdb on first start, kept across restarts). */
  dataDir: string;
  port?: number;
  logFile: string;
  /** The folder with initdb, postgres, pg_dump (setup links it as .tools/postgres-bin). */
  binDir?: string;
}

export interface RunningPostgres {
  port: number;
  user: string;
  dataDir: string;
  readonly pid: number;
  stop(): Promise<void>;
  /** Fast shutdown and start again on the same data directory and port, for crash tests. */
  restart(): Promise<void>;
}

const projectRoot = resolve(__dirname, '..');
/** The superuser initdb creates; loopback-only with trust authentication, so no password is kept anywhere. */
const SUPERUSER = 'temporal';

export function resolvePostgresBinDir(explicit?: string): string {
  const candidates = [explicit, process.env.POSTGRES_BIN_DIR, join(projectRoot, '.tools', 'postgres-bin')];
  // The real folder, not the project's link to it: the postgres user may not be able to enter the project's folder.
  for (const candidate of candidates) if (candidate && existsSync(join(candidate, 'postgres'))) return realpathSync(candidate);
  throw new Error('PostgreSQL not found: run `npm run setup -- --cluster` (it installs Debian\'s postgresql) or set POSTGRES_BIN_DIR');
}

/**
 * PostgreSQL refuses to run as root: as root, its processes run as the `postgres` user that Debian's package creates.
 * Anyone else runs it as themselves.
 */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no `postgres` user to run PostgreSQL as (install Debian\'s postgresql)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** The data directory must be reachable by the user PostgreSQL runs as; a private project folder falls back to /tmp. */
function reachableDataDir(wanted: string, user: { uid: number; gid: number } | undefined): string {
  mkdirSync(dirname(wanted), { recursive: true });
  if (!user) return wanted;
  const probe = spawnSync('test', ['-x', dirname(wanted)], { ...user });
  if (probe.status === 0) return wanted;
  const fallback = join(tmpdir(), `durable-payments-postgres-${createHash('sha256').update(wanted).digest('hex').slice(0, 12)}`);
  process.stderr.write(`[cluster] ${dirname(wanted)} is not reachable by the postgres user; PostgreSQL data goes to ${fallback}\n`);
  return fallback;
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const binDir = resolvePostgresBinDir(options.binDir);
  const user = runAs();
  const dataDir = reachableDataDir(options.dataDir, user);
  const port = options.port ?? (await findPortForChild());
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    if (user) chownSync(dataDir, user.uid, user.gid);
    const init = spawnSync(join(binDir, 'initdb'), ['-D', dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'], {
      ...asUser,
      encoding: 'utf8',
      cwd: tmpdir(),
    });
    if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? init.signal ?? init.status}): ${init.stderr ?? ''}`);
  }
  mkdirSync(dirname(options.logFile), { recursive: true });
  // One Temporal server opens ~48 connections (pools per service); room for a second server and the tools.
  const settings = ['listen_addresses=127.0.0.1', `port=${port}`, 'unix_socket_directories=', 'max_connections=300', 'shared_buffers=128MB'];
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(join(binDir, 'postgres'), ['-D', dataDir, ...settings.flatMap((setting) => ['-c', setting])], {
      ...asUser,
      cwd: tmpdir(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    await waitUntilReady(child, port, 30_000);
    return child;
  };
  let child = await launch();
  // SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
  const stop = () => stopProcess(child, 'SIGINT', 15_000);
  return {
    port,
    user: SUPERUSER,
    dataDir,
    get pid() {
      return child.pid ?? -1;
    },
    stop,
    restart: async () => {
      await stop();
      child = await launch();
    },
  };
}

/** Ready when it accepts a query: `pg_isready` answers only after recovery, a TCP accept would be too early. */
async function waitUntilReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const binDir = resolvePostgresBinDir();
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode} while starting (see its log)`);
    const ready = spawnSync(join(binDir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-q']);
    if (ready.status === 0) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`postgres on port ${port} was not ready within ${timeoutMs} ms`);
}
