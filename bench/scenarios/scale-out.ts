import type { BenchContext } from '../context';
import { apiPayment, uniqueReference } from '../drivers';
import { ClosedLoop, sleep } from '../load';
import { measureLoadWindow, type LoadWindow } from '../load-window';
import { round } from '../proc-stats';

/** The window's figures, processes by instance: server, postgres, bench, worker-1, worker-2, api-1, api-2. */
export interface ScaleOutResult extends LoadWindow<string> {
  /** Worker processes and API processes, as many of each. */
  instances: number;
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
 * Scenario 6: the deployment scaled out, N workers on the same task queues and N API processes, under a closed loop
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

    const { window } = await measureLoadWindow(concurrency, send, options.levelSeconds, () => stack.instancePids());
    const cpuMs = Object.fromEntries(Object.entries(window.processes).map(([name, usage]) => [name, usage?.cpuMs ?? 0]));
    const result: ScaleOutResult = { instances, ...window, shareOfKind: shareOfKind(cpuMs), completedByApi };
    ctx.log(
      `scale-out: ${result.paymentsPerSecond}/s, p50 ${result.latencyMs.p50} p99 ${result.latencyMs.p99} ms, ${result.errors} errors; ` +
        `CPU ms per payment ${JSON.stringify(result.cpuMsPerPayment)}; share of kind ${JSON.stringify(result.shareOfKind)}; answered ${JSON.stringify(completedByApi)}`,
    );
    if (stack.unexpectedExit) throw new Error(stack.unexpectedExit);
    return result;
  } finally {
    await stack.stop();
  }
}
