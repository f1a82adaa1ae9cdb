import { Worker } from 'node:worker_threads';
import { describeThreadCpu, readThreadCpu, threadCpuMsPerUnit } from '../../bench/thread-cpu';

// Busy until the process has used `ms` more CPU: CPU time, not wall time, which a loaded machine would not give.
const SPIN = `(ms) => { const start = process.cpuUsage(); for (;;) { const used = process.cpuUsage(start); if ((used.user + used.system) / 1000 >= ms) return; } }`;
const spin = new Function(`return ${SPIN}`)() as (ms: number) => void;

test("a process's CPU by thread: the main thread's own work lands in mainThread, a worker thread's in otherThreads", async () => {
  const before = readThreadCpu(process.pid)!;
  spin(300);
  // The main thread waits meanwhile, so the process's CPU is the worker thread's.
  const worker = new Worker(`(${SPIN})(300);`, { eval: true });
  await new Promise((resolve) => worker.on('exit', resolve));
  const after = readThreadCpu(process.pid)!;
  const perUnit = threadCpuMsPerUnit(before, after, 1)!;
  // Clock ticks are 10 ms; each spin is 300 ms of CPU, and the exited worker thread still counts.
  expect(perUnit.mainThread).toBeGreaterThanOrEqual(250);
  expect(perUnit.otherThreads).toBeGreaterThanOrEqual(250);
  expect(perUnit.sdkCoreThreads).toBe(0);
  expect(describeThreadCpu({ mainThread: 13.3, sdkCoreThreads: 4.2, otherThreads: 2.6 })).toBe('main 13.3, SDK core 4.2, other 2.6');
});

test('no reading of a process that is gone, no figure per zero payments', () => {
  expect(readThreadCpu(2 ** 22 + 1)).toBeUndefined();
  expect(threadCpuMsPerUnit({ mainThread: 1, sdkCoreThreads: 1, otherThreads: 1 }, { mainThread: 2, sdkCoreThreads: 2, otherThreads: 2 }, 0)).toBeUndefined();
});
