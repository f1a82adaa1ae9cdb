import type { PaymentSample } from './drivers';
import type { SampledServerWork } from './sampled-server-work';
import type { SlowestPayments } from './slowest-payments';
import { ClosedLoop, sleep, type TimedSample } from './load';
import { MachineCpuWindow, type MachineCpuUsage } from './machine-cpu';
import { cpuMsPerPayment, ProcessSampler, round, type ProcessUsage, type Role } from './proc-stats';
import { readStoreOperations, storeOperationsPerUnit, type StoreOperationsPerUnit } from './server-store-operations';
import { summarize, type LatencySummary } from './stats';
import { readThreadCpu, threadCpuMsPerUnit, type ThreadCpu } from './thread-cpu';

/** One window of closed-loop load and what it cost: processes are roles, or named instances (`worker-2`). */
export interface LoadWindow<Key extends string = Role> {
  concurrency: number;
  seconds: number;
  /** COMPLETE answers per second within the window. */
  paymentsPerSecond: number;
  completed: number;
  errors: number;
  latencyMs: LatencySummary;
  processes: Partial<Record<Key, ProcessUsage>>;
  /** CPU of each process over the window divided by the payments completed in it; `total` sums them. */
  cpuMsPerPayment: Partial<Record<Key | 'total', number>>;
  /** Our Node processes' (worker, API) CPU per payment by thread group (absent before 2026-12-06T08). */
  threadCpuMsPerPayment?: Partial<Record<Key, ThreadCpu>>;
  /** The Temporal server's store operations over the window per payment, by its own count (absent before 2026-12-06T05). */
  storeOperationsPerPayment?: StoreOperationsPerUnit;
  /** The whole machine over the window: all processes' CPU and the hypervisor's steal, in % of all CPUs. */
  machineCpu?: MachineCpuUsage;
  /** Where the slowest payments lost their time (scenario 3). */
  slowest?: SlowestPayments;
  /** Server work per payment under this load, from a sample of the window's histories (scenario 3). */
  serverWork?: SampledServerWork;
}

/**
 * `concurrency` clients sending `send` back to back for `seconds`, with the processes' CPU sampled over the same
 * window; answers that finished inside it count. Returns once every request in flight has answered, with the
 * outcome of the first failed request (for the log) beside the figures. With the server's `metricsUrl`, its store
 * operations over the window too.
 */
export async function measureLoadWindow<Key extends string>(
  concurrency: number,
  send: (index: number) => Promise<PaymentSample>,
  seconds: number,
  pids: () => Partial<Record<Key, number>>,
  metricsUrl?: string,
): Promise<{ window: LoadWindow<Key>; firstError?: string; completed: TimedSample[] }> {
  const storeBefore = metricsUrl ? await readStoreOperations(metricsUrl) : undefined;
  const threadsBefore = readOwnThreads(pids());
  const sampler = new ProcessSampler<Key>(pids);
  sampler.start();
  const machine = new MachineCpuWindow();
  const windowStart = performance.now();
  const loop = new ClosedLoop(concurrency, send).start();
  await sleep(seconds * 1_000);
  const windowEnd = performance.now();
  const processes = sampler.stop();
  const machineCpu = machine.stop();
  const threadsAfter = readOwnThreads(pids());
  const storeAfter = metricsUrl ? await readStoreOperations(metricsUrl) : undefined;
  await loop.stop();
  const inWindow = loop.samples.filter((sample) => sample.finishedAt >= windowStart && sample.finishedAt <= windowEnd);
  const completed = inWindow.filter((sample) => sample.ok);
  const errors = loop.samples.filter((sample) => !sample.ok);
  const storeOperationsPerPayment = storeOperationsPerUnit(storeBefore, storeAfter, completed.length);
  const threadCpuMsPerPayment: Partial<Record<Key, ThreadCpu>> = {};
  for (const [key, before] of threadsBefore) {
    const after = threadsAfter.get(key);
    const perPayment = after && after.pid === before.pid ? threadCpuMsPerUnit(before.cpu, after.cpu, completed.length) : undefined;
    if (perPayment) threadCpuMsPerPayment[key] = perPayment;
  }
  const window: LoadWindow<Key> = {
    concurrency,
    seconds: round((windowEnd - windowStart) / 1_000),
    paymentsPerSecond: round(completed.length / ((windowEnd - windowStart) / 1_000)),
    completed: completed.length,
    errors: errors.length,
    latencyMs: summarize(completed.map((sample) => sample.ms)),
    processes,
    cpuMsPerPayment: cpuMsPerPayment(processes, completed.length),
    ...(machineCpu ? { machineCpu } : {}),
    ...(storeOperationsPerPayment ? { storeOperationsPerPayment } : {}),
    ...(Object.keys(threadCpuMsPerPayment).length ? { threadCpuMsPerPayment } : {}),
  };
  return { window, firstError: errors[0]?.outcome, completed };
}

/** Thread readings of our own Node processes (the worker and the API instances), by key, with the pid read. */
function readOwnThreads<Key extends string>(pids: Partial<Record<Key, number>>): Map<Key, { pid: number; cpu: ThreadCpu }> {
  const readings = new Map<Key, { pid: number; cpu: ThreadCpu }>();
  for (const [key, pid] of Object.entries(pids) as [Key, number | undefined][]) {
    if (pid === undefined || !/^(worker|api)\b/.test(key)) continue;
    const cpu = readThreadCpu(pid);
    if (cpu) readings.set(key, { pid, cpu });
  }
  return readings;
}
