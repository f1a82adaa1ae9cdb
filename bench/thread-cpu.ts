import { readFileSync } from 'node:fs';
import { CLOCK_TICKS, round, statFields, threadIds } from './proc-stats';

/**
 * Where one of our Node processes spends its CPU, by thread: its main thread (our code, Express, the SDK's
 * TypeScript side, the event loop), the SDK core's Rust threads (`tokio-runtime-worker`: gRPC and polling;
 * `workflow-processing`: the workflow state machines; `temporal-*`), and the rest (the workflow sandboxes'
 * worker threads, V8's garbage-collector helpers, libuv's pool, and threads that exited), in seconds.
 */
export interface ThreadCpu {
  mainThread: number;
  sdkCoreThreads: number;
  otherThreads: number;
}

const SDK_CORE_THREAD = /^(tokio-runtime|workflow-proces|temporal-)/;

function cpuSeconds(statPath: string): number | undefined {
  try {
    const [utime = 0, stime = 0] = statFields(readFileSync(statPath, 'utf8')).slice(11, 13);
    return (utime + stime) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** The process's CPU by thread group; undefined when it is gone. The process total counts exited threads too. */
export function readThreadCpu(pid: number): ThreadCpu | undefined {
  const total = cpuSeconds(`/proc/${pid}/stat`);
  const tasks = threadIds(pid);
  // A live process has at least its main thread.
  if (total === undefined || tasks.length === 0) return undefined;
  let mainThread = 0;
  let sdkCoreThreads = 0;
  for (const task of tasks) {
    const seconds = cpuSeconds(`/proc/${pid}/task/${task}/stat`) ?? 0;
    if (Number(task) === pid) mainThread = seconds;
    else if (SDK_CORE_THREAD.test(readComm(pid, task))) sdkCoreThreads += seconds;
  }
  return { mainThread, sdkCoreThreads, otherThreads: Math.max(0, total - mainThread - sdkCoreThreads) };
}

function readComm(pid: number, task: string): string {
  try {
    return readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** CPU ms per unit of work in each thread group between two readings of the same process. */
export function threadCpuMsPerUnit(before: ThreadCpu, after: ThreadCpu, units: number): ThreadCpu | undefined {
  if (units === 0) return undefined;
  const per = (key: keyof ThreadCpu) => round(((after[key] - before[key]) * 1_000) / units);
  return { mainThread: per('mainThread'), sdkCoreThreads: per('sdkCoreThreads'), otherThreads: per('otherThreads') };
}

/** "main 13.3, SDK core 4.2, other 2.6". */
export function describeThreadCpu(perUnit: ThreadCpu): string {
  return `main ${perUnit.mainThread}, SDK core ${perUnit.sdkCoreThreads}, other ${perUnit.otherThreads}`;
}
