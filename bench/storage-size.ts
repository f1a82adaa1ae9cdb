import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePostgresBinDir } from '../infra/postgres-instance';
import type { PersistedStore } from '../infra/temporal-topology';

export interface StorageSize {
  /** What the server stores: the sum of `parts`. */
  bytes: number;
  /** SQLite: the database file and its WAL; PostgreSQL: pg_database_size of each database. */
  parts: Record<string, number>;
}

/**
 * Bytes a Temporal server keeps on disk for its data. PostgreSQL's own WAL (pg_wal) is left out: it is written in
 * preallocated 16 MiB segments that are recycled, so it does not grow with the data as SQLite's WAL does.
 */
export function storageSize(store: PersistedStore): StorageSize {
  const parts = store.kind === 'sqlite' ? sqliteSizes(store.dbFile) : postgresSizes(store);
  return { bytes: Object.values(parts).reduce((sum, value) => sum + value, 0), parts };
}

function sqliteSizes(dbFile: string): Record<string, number> {
  const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
  return { sqlite: size(dbFile), wal: size(`${dbFile}-wal`) };
}

function postgresSizes(store: Extract<PersistedStore, { kind: 'postgres' }>): Record<string, number> {
  const names = store.databases.map((database) => `'${database.replace(/'/g, "''")}'`).join(', ');
  const query = spawnSync(
    join(resolvePostgresBinDir(), 'psql'),
    ['-h', '127.0.0.1', '-p', String(store.port), '-U', store.user, '-d', 'postgres', '--no-password', '-A', '-t', '-F', ' ', '-c', `SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname IN (${names})`],
    { encoding: 'utf8' },
  );
  if (query.status !== 0) throw new Error(`psql pg_database_size failed (${query.status}): ${query.stderr}`);
  const parts: Record<string, number> = {};
  for (const line of query.stdout.trim().split('\n')) {
    const [name, bytes] = line.split(' ');
    if (name) parts[name] = Number(bytes);
  }
  return parts;
}
