import type { BenchContext } from '../context';
import { apiPayment, uniqueReference } from '../drivers';
import { ClosedLoop, sleep } from '../load';
import { cpuPercentSummary, cpuMsPerPayment, ProcessSampler, round, type ProcessUsage, type Role } from '../proc-stats';
import { summarize, type LatencySummary } from '../stats';

export interface ThroughputLevel {
  concurrency: number;
  seconds: number;
  /** COMPLETE answers per second within the level's window. */
  paymentsPerSecond: number;
  completed: number;
  errors: number;
  latencyMs: LatencySummary;
  processes: Partial<Record<Role, ProcessUsage>>;
  /** CPU of each process over the window divided by the payments completed in it; `total` sums them. */
  cpuMsPerPayment: Partial<Record<Role | 'total', number>>;
}

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
      const sampler = new ProcessSampler(() => stack.pids());
      sampler.start();
      const windowStart = performance.now();
      const loop = new ClosedLoop(concurrency, () => apiPayment(stack, uniqueReference(`tp${concurrency}`))).start();
      await sleep(options.levelSeconds * 1_000);
      const windowEnd = performance.now();
      const processes = sampler.stop();
      await loop.stop();
      const inWindow = loop.samples.filter((sample) => sample.finishedAt >= windowStart && sample.finishedAt <= windowEnd);
      const completed = inWindow.filter((sample) => sample.ok);
      const errors = loop.samples.filter((sample) => !sample.ok);
      const level: ThroughputLevel = {
        concurrency,
        seconds: round((windowEnd - windowStart) / 1_000),
        paymentsPerSecond: round(completed.length / ((windowEnd - windowStart) / 1_000)),
        completed: completed.length,
        errors: errors.length,
        latencyMs: summarize(completed.map((sample) => sample.ms)),
        processes,
        cpuMsPerPayment: cpuMsPerPayment(processes, completed.length),
      };
      levels.push(level);
      ctx.log(
        `throughput: concurrency ${concurrency}: ${level.paymentsPerSecond}/s, p50 ${level.latencyMs.p50} p99 ${level.latencyMs.p99} ms, ` +
          `${level.errors} errors; CPU ${cpuPercentSummary(processes)}; ${level.cpuMsPerPayment.total} CPU ms per payment`,
      );
      if (errors.length) ctx.log(`throughput: e.g. ${errors[0]?.outcome}`);
      if (stack.unexpectedExit) {
        stoppedBecause = stack.unexpectedExit;
        break;
      }
      if (level.latencyMs.p99 > options.p99LimitMs || errors.length > 0) {
        stoppedBecause = errors.length > 0 ? `${errors.length} errors at concurrency ${concurrency}` : `p99 ${level.latencyMs.p99} ms > ${options.p99LimitMs} ms at concurrency ${concurrency}`;
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
