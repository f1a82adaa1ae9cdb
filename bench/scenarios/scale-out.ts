import type { BenchContext } from '../context';
import { apiPayment, uniqueReference } from '../drivers';
import { ClosedLoop, sleep } from '../load';
import { ProcessSampler, round, type ProcessUsage } from '../proc-stats';
import { summarize, type LatencySummary } from '../stats';

export interface ScaleOutResult {
  /** Worker processes and API processes, as many of each. */
  instances: number;
  concurrency: number;
  seconds: number;
  paymentsPerSecond: number;
  completed: number;
  errors: number;
  latencyMs: LatencySummary;
  /** Each process over the window, by instance: server, postgres, worker-1, worker-2, api-1, api-2, bench. */
  processes: Record<string, ProcessUsage>;
  cpuMsPerPayment: Record<string, number>;
  /** Each worker's and each API's part of its kind's CPU (worker-1 0.5 = half of all worker CPU). */
  shareOfKind: Record<string, number>;
  /** Payments each API instance answered COMPLETE during the run (the clients take turns across them). */
  completedByApi: Record<string, number>;
}

/** The part of its kind's CPU each numbered instance used: `worker-2` against every `worker-N`. */
export function shareOfKind(cpuMsByProcess: Record<string, number>): Record<string, number> {
  const kindOf = (name: string) => /^(.+)-\d+$/.exec(name)?.[1];
  const totals = new Map<string, number>();
  for (const [name, cpuMs] of Object.entries(cpuMsByProcess)) {
    const kind = kindOf(name);
    if (kind) totals.set(kind, (totals.get(kind) ?? 0) + cpuMs);
  }
  const shares: Record<string, number> = {};
  for (const [name, cpuMs] of Object.entries(cpuMsByProcess)) {
    const total = totals.get(kindOf(name) ?? '');
    if (total) shares[name] = round(cpuMs / total, 2);
  }
  return shares;
}

/**
 * Scenario 5b: the deployment scaled out, N workers on the same task queues and N API processes, under a closed loop
 * whose requests take turns across the APIs; one window of `levelSeconds`. Shows each process carrying its share and
 * what the extra processes cost per payment.
 */
export async function runScaleOut(ctx: BenchContext): Promise<ScaleOutResult> {
  const { options } = ctx;
  const instances = options.scaleOutInstances;
  const concurrency = options.scaleOutConcurrency;
  const { stack } = await ctx.startStack('scaleout');
  try {
    await stack.addInstances(instances - 1);
    const apis = stack.apiUrls();
    ctx.log(`scale-out: ${instances} workers and ${instances} APIs running; ${concurrency} clients taking turns across the APIs for ${options.levelSeconds} s`);
    const completedByApi: Record<string, number> = Object.fromEntries(apis.map((_, index) => [`api-${index + 1}`, 0]));
    const send = (id: number) => {
      const api = id % apis.length;
      return apiPayment(stack, uniqueReference(`so${api + 1}`), apis[api]).then((sample) => {
        if (sample.ok) completedByApi[`api-${api + 1}`] = (completedByApi[`api-${api + 1}`] ?? 0) + 1;
        return sample;
      });
    };
    const warmup = new ClosedLoop(Math.min(4, concurrency), send).start();
    await sleep(3_000);
    await warmup.stop();
    for (const key of Object.keys(completedByApi)) completedByApi[key] = 0;

    const sampler = new ProcessSampler<string>(() => Object.fromEntries(Object.entries(stack.instancePids()).filter(([, pid]) => pid !== undefined)) as Record<string, number>);
    sampler.start();
    const windowStart = performance.now();
    const loop = new ClosedLoop(concurrency, send).start();
    await sleep(options.levelSeconds * 1_000);
    const windowEnd = performance.now();
    const processes = sampler.stop() as Record<string, ProcessUsage>;
    await loop.stop();
    const inWindow = loop.samples.filter((sample) => sample.finishedAt >= windowStart && sample.finishedAt <= windowEnd);
    const completed = inWindow.filter((sample) => sample.ok);
    const seconds = (windowEnd - windowStart) / 1_000;
    const cpuMs = Object.fromEntries(Object.entries(processes).map(([name, usage]) => [name, usage.cpuMs]));
    const cpuMsPerPayment: Record<string, number> = {};
    if (completed.length > 0) {
      for (const [name, ms] of Object.entries(cpuMs)) cpuMsPerPayment[name] = round(ms / completed.length);
      cpuMsPerPayment.total = round(Object.values(cpuMs).reduce((sum, ms) => sum + ms, 0) / completed.length);
    }
    const result: ScaleOutResult = {
      instances,
      concurrency,
      seconds: round(seconds),
      paymentsPerSecond: round(completed.length / seconds),
      completed: completed.length,
      errors: loop.samples.filter((sample) => !sample.ok).length,
      latencyMs: summarize(completed.map((sample) => sample.ms)),
      processes,
      cpuMsPerPayment,
      shareOfKind: shareOfKind(cpuMs),
      completedByApi,
    };
    ctx.log(
      `scale-out: ${result.paymentsPerSecond}/s, p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms, ${result.errors} errors; ` +
        `CPU ms per payment ${JSON.stringify(cpuMsPerPayment)}; share of kind ${JSON.stringify(result.shareOfKind)}; answered ${JSON.stringify(completedByApi)}`,
    );
    if (stack.unexpectedExit) throw new Error(stack.unexpectedExit);
    return result;
  } finally {
    await stack.stop();
  }
}
