import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

describe('setup on a machine without Go', () => {
  test('stops with a clear message naming what is missing', () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'dp-cache-'));
    try {
      const result = spawnSync(process.execPath, [resolve(__dirname, '../../scripts/setup.mjs'), '--no-browser'], {
        // Only node itself on PATH: no go, no temporal; an empty per-user cache.
        env: { PATH: dirname(process.execPath), HOME: emptyCache, XDG_CACHE_HOME: emptyCache },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Go is missing.*Temporal CLI/);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });

  test('for the cluster topology, one message names every binary Go would build, before anything is linked', () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'dp-cache-'));
    try {
      const result = spawnSync(process.execPath, [resolve(__dirname, '../../scripts/setup.mjs'), '--no-browser', '--cluster'], {
        env: { PATH: dirname(process.execPath), HOME: emptyCache, XDG_CACHE_HOME: emptyCache },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/Go is missing.*Temporal CLI 1\.5\.1 and the Temporal server 1\.\d+\.\d+.*TEMPORAL_SERVER_PATH/);
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });
});
