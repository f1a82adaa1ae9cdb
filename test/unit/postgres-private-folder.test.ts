import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { resolvePostgresBinDir, startPostgres } from '../../infra/postgres-instance';

/**
 * CI clones into a private folder (mktemp makes it 0700). As root, PostgreSQL runs as the `postgres` user, which can
 * reach neither the data directory nor the `.tools/postgres-bin` link inside that folder.
 */
const asRoot = process.getuid?.() === 0;

(asRoot ? test : test.skip)('PostgreSQL starts from a project inside a folder only root can enter', async () => {
  const privateFolder = mkdtempSync(join(tmpdir(), 'private-clone-'));
  try {
    expect(spawnSync('runuser', ['-u', 'postgres', '--', 'test', '-x', privateFolder]).status).not.toBe(0); // the premise
    const tools = join(privateFolder, 'project', '.tools');
    mkdirSync(tools, { recursive: true });
    symlinkSync(resolvePostgresBinDir(), join(tools, 'postgres-bin'));
    const postgres = await startPostgres({
      dataDir: join(privateFolder, 'project', '.data', 'postgres'),
      logFile: join(privateFolder, 'project', '.data', 'postgres.log'),
      binDir: join(tools, 'postgres-bin'),
    });
    try {
      const ready = spawnSync(join(resolvePostgresBinDir(), 'pg_isready'), ['-h', '127.0.0.1', '-p', String(postgres.port), '-U', postgres.user, '-q']);
      expect(ready.status).toBe(0);
    } finally {
      await postgres.stop();
      rmSync(postgres.dataDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(privateFolder, { recursive: true, force: true });
  }
}, 60_000);
