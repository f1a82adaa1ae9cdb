import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePostgresBinDir } from './postgres-instance';
import type { PersistedStore } from './temporal-topology';

/**
 * Files holding everything a Temporal server persisted, for card-data searches: the SQLite database and its WAL,
 * or a `pg_dump` of each PostgreSQL database (written into `scratchDir`) plus every file of the data directory
 * (heap files and WAL, where rows live before and after they are visible to a dump).
 */
export function persistedFiles(store: PersistedStore, scratchDir: string): string[] {
  if (store.kind === 'sqlite') return [store.dbFile, `${store.dbFile}-wal`].filter((file) => existsSync(file));
  mkdirSync(scratchDir, { recursive: true });
  const dumps = store.databases.map((database) => {
    const dumped = spawnSync(join(resolvePostgresBinDir(), 'pg_dump'), ['-h', '127.0.0.1', '-p', String(store.port), '-U', store.user, '--no-password', database], {
      maxBuffer: 2 * 1024 * 1024 * 1024,
      // Histories are bytea: the escape format prints their printable bytes as they are (hex would hide text).
      env: { ...process.env, PGOPTIONS: '-c bytea_output=escape' },
    });
    if (dumped.status !== 0) throw new Error(`pg_dump ${database} failed (${dumped.status}): ${dumped.stderr.toString()}`);
    const file = join(scratchDir, `pg_dump-${database}.sql`);
    writeFileSync(file, dumped.stdout);
    return file;
  });
  return [...dumps, ...filesUnder(store.dataDir)];
}

function filesUnder(folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(path));
    else if (entry.isFile() && statSync(path).size > 0) files.push(path);
  }
  return files;
}
