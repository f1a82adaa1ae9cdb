import { Worker } from 'node:worker_threads';
import { describeThreadCpu, readThreadCpu, threadCpuMsPerUnit } from '../../bench/thread-cpu';

const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

test("a process's CPU by thread: the main thread's own work lands in mainThread, a worker thread's in otherThreads", async () => {
  const before = readThreadCpu(process.pid)!;
  spin(300);
  const worker = new Worker('const until = performance.now() + 300; while (performance.now() < until);', { eval: true });
  await new Promise((resolve) => worker.on('exit', resolve));
  const after = readThreadCpu(process.pid)!;
  const perUnit = threadCpuMsPerUnit(before, after, 1)!;
  // Clock ticks are 10 ms; each spin is 300 ms of one thread, and the exited worker thread still counts.
  expect(perUnit.mainThread).toBeGreaterThanOrEqual(250);
  expect(perUnit.otherThreads).toBeGreaterThanOrEqual(250);
  expect(perUnit.sdkCoreThreads).toBe(0);
  expect(describeThreadCpu({ mainThread: 13.3, sdkCoreThreads: 4.2, otherThreads: 2.6 })).toBe('main 13.3, SDK core 4.2, other 2.6');
});

test('no reading of a process that is gone, no figure per zero payments', () => {
  expect(readThreadCpu(2 ** 22 + 1)).toBeUndefined();
  expect(threadCpuMsPerUnit({ mainThread: 1, sdkCoreThreads: 1, otherThreads: 1 }, { mainThread: 2, sdkCoreThreads: 2, otherThreads: 2 }, 0)).toBeUndefined();
});
