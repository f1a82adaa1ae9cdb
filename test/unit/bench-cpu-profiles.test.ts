import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarizeCpuProfiles } from '../../bench/cpu-profiles';

const projectRoot = join(__dirname, '..', '..');

test('a CPU profile is summed by package and by function, self time only, idle left out', () => {
  const root = mkdtempSync(join(tmpdir(), 'profiles-'));
  try {
    mkdirSync(join(root, 'dev-throughput-api'));
    const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber, scriptId: '0', columnNumber: 0 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '') },
        { id: 2, callFrame: frame('(idle)', '') },
        { id: 3, callFrame: frame('serialize', `file://${projectRoot}/node_modules/pino/lib/tools.js`, 9) },
        { id: 4, callFrame: frame('startPayment', `file://${projectRoot}/api/start-payment.ts`, 41) },
        { id: 5, callFrame: frame('(garbage collector)', '') },
        { id: 6, callFrame: frame('emit', 'node:events') },
      ],
      samples: [2, 3, 3, 4, 5, 6, 2],
      timeDeltas: [50_000, 3_000, 3_000, 2_000, 1_000, 1_000, 70_000],
      startTime: 0,
      endTime: 130_000,
    };
    writeFileSync(join(root, 'dev-throughput-api', 'CPU.1.cpuprofile'), JSON.stringify(profile));
    // Anything else an operator keeps next to the profiles (the bench's own log, say) is not a process's folder.
    writeFileSync(join(root, 'bench-log.txt'), 'not a profile folder');
    const [summary, ...others] = summarizeCpuProfiles(root);
    expect(others).toEqual([]);
    expect(summary).toMatchObject({ process: 'dev-throughput-api', busyMs: 10 });
    expect(summary!.byPackage).toEqual([
      { name: 'pino', ms: 6, percent: 60 },
      { name: 'ours: api/', ms: 2, percent: 20 },
      { name: '(garbage collector)', ms: 1, percent: 10 },
      { name: 'node:internal', ms: 1, percent: 10 },
    ]);
    expect(summary!.topFrames[0]).toEqual({ frame: 'serialize pino/lib/tools.js:10', ms: 6, percent: 60 });
    expect(summary!.topFrames[1]).toEqual({ frame: 'startPayment api/start-payment.ts:42', ms: 2, percent: 20 });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
