import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { persistedFiles } from '../../infra/persisted-store';
import type { PersistedStore } from '../../infra/temporal-topology';
import { testRunDir } from './test-run-dir';

export interface StoreSearch {
  files: number;
  bytes: number;
  /** Needles found in any file (must be empty for card data). */
  found: string[];
  /** Positive controls that were not found (must be empty: the search read real data). */
  controlsMissing: string[];
}

/** The run's Temporal store, as global setup described it. */
export function runStore(): PersistedStore {
  const described = process.env.TEST_TEMPORAL_STORE;
  if (!described) throw new Error('TEST_TEMPORAL_STORE is not set: the jest global setup starts the Temporal server');
  return JSON.parse(described) as PersistedStore;
}

/**
 * Searches everything the server persisted (SQLite files, or PostgreSQL dumps and data directory files), file by file
 * so that no file has to fit in one string with the others.
 */
export function searchServerStore(needles: string[], controls: string[], store: PersistedStore = runStore()): StoreSearch {
  const found = new Set<string>();
  const controlsSeen = new Set<string>();
  let bytes = 0;
  const files = persistedFiles(store, join(testRunDir, `store-dump-${process.pid}`));
  for (const file of files) {
    const text = readFileSync(file).toString('latin1');
    bytes += text.length;
    for (const needle of needles) if (text.includes(needle)) found.add(needle);
    for (const control of controls) if (text.includes(control)) controlsSeen.add(control);
  }
  return { files: files.length, bytes, found: [...found], controlsMissing: controls.filter((control) => !controlsSeen.has(control)) };
}
