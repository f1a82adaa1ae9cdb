import type { BenchContext } from '../context';
import { apiPayment, uniqueReference } from '../drivers';
import { ClosedLoop, sleep } from '../load';
import { measureLoadWindow, type LoadWindow } from '../load-window';
import { describeStoreOperations } from '../server-store-operations';
import { cpuPercentSummary, round } from '../proc-stats';
import { describeServerWork, sampledPaymentIds, sampleServerWork } from '../sampled-server-work';
import { describeSlowest, explainSlowest } from '../slowest-payments';

/** One concurrency level: its window's throughput, latency and CPU per process. */
export type ThroughputLevel = LoadWindow;

export interface ThroughputResult {
  levelSeconds: number;
  p99LimitMs: number;
  levels: ThroughputLevel[];
  /** The highest level whose p99 stayed within the limit (with no errors). */
  knee?: ThroughputLevel;
  /** Why the climb stopped. */
  stoppedBecause: string;
  wallSeconds: number;
}

/**
 * Scenario 3: closed-loop clients calling POST /v1/payments, concurrency doubling each level, each level held for
 * `levelSeconds`, until p99 exceeds the limit (or the cap). The knee is the last level within the limit.
 */
export async function runThroughput(ctx: BenchContext): Promise<ThroughputResult> {
  const { options } = ctx;
  const { stack } = await ctx.startStack('throughput');
  const started = performance.now();
  const levels: ThroughputLevel[] = [];
  let stoppedBecause = `reached --max-concurrency=${options.maxConcurrency}`;
  try {
    // A short warm-up so the first level does not pay for JIT, connections and the first workflow runs.
    const warmup = new ClosedLoop(Math.min(4, options.startConcurrency), () => apiPayment(stack, uniqueReference('warm'))).start();
    await sleep(3_000);
    await warmup.stop();
    for (let concurrency = options.startConcurrency; concurrency <= options.maxConcurrency; concurrency *= 2) {
      const { window: level, firstError, completed } = await measureLoadWindow(concurrency, () => apiPayment(stack, uniqueReference(`tp${concurrency}`)), options.levelSeconds, () => stack.pids(), stack.temporal.metricsUrl);
      level.slowest = await explainSlowest(stack.temporal.address, stack.temporal.namespace, completed);
      level.serverWork = await sampleServerWork(stack.temporal.address, stack.temporal.namespace, sampledPaymentIds(completed));
      levels.push(level);
      ctx.log(
        `throughput: concurrency ${concurrency}: ${level.paymentsPerSecond}/s, p50 ${level.latencyMs.p50} p99 ${level.latencyMs.p99} ms, ` +
          `${level.errors} errors; CPU ${cpuPercentSummary(level.processes)}; ${level.cpuMsPerPayment.total} CPU ms per payment${level.machineCpu ? `; machine ${level.machineCpu.busyPercent}% busy, ${level.machineCpu.stealPercent}% stolen` : ''}`,
      );
      if (firstError) ctx.log(`throughput: e.g. ${firstError}`);
      if (level.serverWork) ctx.log(`throughput: server work: ${describeServerWork(level.serverWork)}`);
      if (level.storeOperationsPerPayment) ctx.log(`throughput: store operations per payment: ${describeStoreOperations(level.storeOperationsPerPayment)}`);
      if (level.slowest) ctx.log(`throughput: slowest ${level.slowest.count}: ${describeSlowest(level.slowest)}`);
      if (stack.unexpectedExit) {
        stoppedBecause = stack.unexpectedExit;
        break;
      }
      if (level.latencyMs.p99 > options.p99LimitMs || level.errors > 0) {
        stoppedBecause = level.errors > 0 ? `${level.errors} errors at concurrency ${concurrency}` : `p99 ${level.latencyMs.p99} ms > ${options.p99LimitMs} ms at concurrency ${concurrency}`;
        break;
      }
      await sleep(2_000);
    }
    const within = levels.filter((level) => level.latencyMs.p99 <= options.p99LimitMs && level.errors === 0);
    return { levelSeconds: options.levelSeconds, p99LimitMs: options.p99LimitMs, levels, knee: within.at(-1), stoppedBecause, wallSeconds: round((performance.now() - started) / 1_000) };
  } finally {
    await stack.stop();
  }
}
