import { Client, Connection } from '@temporalio/client';
import { startTurnstaySandbox } from '../../sandbox';
import { createSandboxLogger } from '../../sandbox/shared/logger';
import type { BenchContext } from '../context';
import { apiPayment, FloorClient, NaiveBaseline, uniqueReference, type PaymentSample } from '../drivers';
import { aggregatePhases, fetchEvents, paymentPhases } from '../history';
import { sleep } from '../load';
import { ProcessSampler, round, type ProcessUsage, type Role } from '../proc-stats';
import { MERCHANT_ID } from '../stack';
import { serverWork } from '../state-transitions';
import { summarize, type LatencySummary } from '../stats';
import { paymentWorkflowId } from '../../api/start-payment';

type Ratios = { p50: number; p95: number; p99: number };

export interface LatencyVariant {
  /** floor | earlyReturn | naivePoll<ms> */
  name: string;
  description: string;
  /** Request to COMPLETE answer, in ms (COMPLETE answers only). */
  latencyMs: LatencySummary;
  /** Every COMPLETE answer's latency, whole ms, ascending (the distribution chart). */
  samplesMs: number[];
  errors: number;
  toFloor: Ratios;
  toEarlyReturn: Ratios;
  /** p50 minus the floor's p50 (ms). */
  overP50Ms: number;
}

export interface LatencyResult {
  samplesPerVariant: number;
  warmupPerVariant: number;
  arrivalRatePerSecond: number;
  sandboxLatencyMs: number;
  variants: LatencyVariant[];
  /** Where the time goes, from up to 40 histories of each Temporal variant (server clock; p50 and mean, ms). */
  anatomy: Record<string, Record<string, { p50: number; mean: number }>>;
  /**
   * Per payment history, fetched after the run (so including the provider's webhook): server work per payment, with
   * the state transitions counted from the history (bench/state-transitions.ts) and as the server counts them.
   */
  historyCounts: Record<string, Record<string, { p50: number; mean: number }>>;
  processes: Partial<Record<Role, ProcessUsage>>;
  wallSeconds: number;
}

const ratio = (a: LatencySummary, b: LatencySummary): Ratios => ({ p50: round(a.p50 / b.p50, 2), p95: round(a.p95 / b.p95, 2), p99: round(a.p99 / b.p99, 2) });

/**
 * Scenarios 1 and 2, side by side: the ways to pay are interleaved (round robin) in one open-loop stream of
 * requests at a fixed rate, so all of them see the same machine and the same load.
 * - floor: the two TurnStay calls our adapter makes, straight from this process (no Temporal);
 * - earlyReturn: POST /v1/payments, answered with the first outcome by update-with-start;
 * - naivePoll<ms>: workflow.start of the same workflow, then its state query every <ms> until the first outcome.
 */
export async function runLatency(ctx: BenchContext): Promise<LatencyResult> {
  const { options } = ctx;
  const { stack } = await ctx.startStack('latency');
  // The floor gets its own instance of the same sandbox (same code, latency and process) without a webhook URL:
  // its webhooks would otherwise become signals and load on the system under test.
  const floorSandbox = await startTurnstaySandbox({ latencyMs: options.sandboxLatencyMs, logger: createSandboxLogger('sandbox.floor', { level: 'warn' }) });
  const naive = await NaiveBaseline.start(stack);
  const floor = new FloorClient(floorSandbox);
  const variants: { name: string; description: string; send: (reference: string) => Promise<PaymentSample> }[] = [
    { name: 'floor', description: 'create intent + SCS confirm, straight to the sandbox', send: (reference) => floor.pay(reference) },
    { name: 'earlyReturn', description: 'POST /v1/payments (update-with-start)', send: (reference) => apiPayment(stack, reference) },
    ...options.pollMs.map((pollMs) => ({
      name: `naivePoll${pollMs}`,
      description: `workflow.start + paymentState query every ${pollMs} ms`,
      send: (reference: string) => naive.pay(reference, pollMs),
    })),
  ];
  const perVariant = options.latencyWarmup + options.latencySamples;
  const total = perVariant * variants.length;
  const intervalMs = 1_000 / options.latencyRate;
  const samples = new Map<string, PaymentSample[]>(variants.map((variant) => [variant.name, []]));
  const references = new Map<string, string[]>(variants.map((variant) => [variant.name, []]));
  ctx.log(`latency: ${total} payments at ${options.latencyRate}/s (${options.latencyWarmup} warm-up + ${options.latencySamples} measured for each of ${variants.map((variant) => variant.name).join(', ')})`);
  const sampler = new ProcessSampler(() => stack.pids());
  const started = performance.now();
  const pending: Promise<void>[] = [];
  try {
    for (let index = 0; index < total; index += 1) {
      const due = started + index * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const variant = variants[index % variants.length] as (typeof variants)[number];
      const round = Math.floor(index / variants.length);
      if (round === options.latencyWarmup && index % variants.length === 0) sampler.start();
      const reference = uniqueReference(`lat-${variant.name}`);
      pending.push(
        variant.send(reference).then((sample) => {
          if (round < options.latencyWarmup) return;
          samples.get(variant.name)?.push(sample);
          if (sample.ok) references.get(variant.name)?.push(reference);
        }),
      );
    }
    await Promise.all(pending);
    const processes = sampler.stop();
    const completeMs = (name: string) => (samples.get(name) ?? []).filter((sample) => sample.ok).map((sample) => sample.ms);
    const summaries = new Map(variants.map((variant) => [variant.name, summarize(completeMs(variant.name))]));
    const floorSummary = summaries.get('floor') as LatencySummary;
    const earlySummary = summaries.get('earlyReturn') as LatencySummary;
    const results: LatencyVariant[] = variants.map((variant) => {
      const summary = summaries.get(variant.name) as LatencySummary;
      const failed = (samples.get(variant.name) ?? []).filter((sample) => !sample.ok);
      if (failed.length) ctx.log(`latency: ${variant.name}: ${failed.length} not COMPLETE, e.g. ${failed[0]?.outcome}`);
      return {
        name: variant.name,
        description: variant.description,
        latencyMs: summary,
        samplesMs: completeMs(variant.name).map((ms) => Math.round(ms)).sort((a, b) => a - b),
        errors: failed.length,
        toFloor: ratio(summary, floorSummary),
        toEarlyReturn: ratio(summary, earlySummary),
        overP50Ms: round(summary.p50 - floorSummary.p50),
      };
    });
    for (const variant of results) ctx.log(`latency: ${variant.name}: p50 ${variant.latencyMs.p50} p95 ${variant.latencyMs.p95} p99 ${variant.latencyMs.p99} ms`);
    const temporalVariants = variants.map((variant) => variant.name).filter((name) => name !== 'floor');
    const histories = await historyAnatomy(stack.temporal.address, stack.temporal.namespace, temporalVariants.map((name) => [name, references.get(name) ?? []]));
    return {
      samplesPerVariant: options.latencySamples,
      warmupPerVariant: options.latencyWarmup,
      arrivalRatePerSecond: options.latencyRate,
      sandboxLatencyMs: options.sandboxLatencyMs,
      variants: results,
      ...histories,
      processes,
      wallSeconds: round((performance.now() - started) / 1_000),
    };
  } finally {
    await naive.stop().catch(() => undefined);
    await floorSandbox.close();
    await stack.stop();
  }
}

async function historyAnatomy(address: string, namespace: string, lists: [string, string[]][]): Promise<Pick<LatencyResult, 'anatomy' | 'historyCounts'>> {
  const connection = await Connection.connect({ address });
  const anatomy: LatencyResult['anatomy'] = {};
  const counts: LatencyResult['historyCounts'] = {};
  try {
    const client = new Client({ connection, namespace });
    for (const [name, list] of lists) {
      const step = Math.max(1, Math.floor(list.length / 40));
      const picked = list.filter((_, index) => index % step === 0).slice(0, 40);
      const ids = picked.map((reference) => paymentWorkflowId(MERCHANT_ID, reference));
      const histories = await Promise.all(ids.map((id) => fetchEvents(client, id)));
      const serverCounts = await Promise.all(ids.map(async (id) => Number((await client.workflow.getHandle(id).describe()).raw.workflowExecutionInfo?.stateTransitionCount?.toString() ?? Number.NaN)));
      anatomy[name] = aggregatePhases(histories.map(paymentPhases).filter((entry): entry is Record<string, number> => entry !== undefined));
      counts[name] = aggregatePhases(histories.map((events, index) => ({ ...serverWork(events), 'state transitions (server count)': serverCounts[index] as number })));
    }
    return { anatomy, historyCounts: counts };
  } finally {
    await connection.close();
  }
}
