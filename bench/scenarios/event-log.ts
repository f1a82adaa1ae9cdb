import { Client, Connection } from '@temporalio/client';
import type { BenchContext } from '../context';
import { round } from '../proc-stats';
import { summarize, type LatencySummary } from '../stats';

/** Signals one level sent: to one workflow, or spread over as many workflows as there are senders. */
export interface SignalLevel {
  targets: 'one' | 'spread';
  concurrency: number;
  signals: number;
  perSecond: number;
  latencyMs: LatencySummary;
}

export interface EventLogResult {
  levelSeconds: number;
  levels: SignalLevel[];
  /** The most signals per second one workflow took, and the same senders spread over many workflows. */
  oneWorkflowPerSecond: number;
  spreadPerSecond: number;
}

const CONCURRENCY = [1, 16, 48];
const LEVEL_SECONDS = 8;
/** A fresh workflow after this many signals: the server caps the signals one execution may receive (10,000). */
const SIGNALS_PER_WORKFLOW = 4_000;
/** About the size of a merchant event as the log receives it. */
const EVENT = { event: { id: 'bench-event', type: 'reservation.scheduled', timestamp: new Date(0).toISOString(), data: { text: 'x'.repeat(900) } } };

/**
 * Scenario 7: how many signals per second one workflow takes (each merchant's event log is one workflow, and every
 * payment's and reservation's event is a signal-with-start to it), against the same senders spread over as many
 * workflows. The signals go to a workflow type nobody polls: its first task waits, so this is the server's own rate
 * for one execution (each signal a write under that execution's lock), not the log's.
 */
export async function runEventLog(ctx: BenchContext): Promise<EventLogResult> {
  const { stack } = await ctx.startStack('eventlog');
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: stack.temporal.namespace });
  const levels: SignalLevel[] = [];
  try {
    for (const targets of ['one', 'spread'] as const) {
      for (const concurrency of CONCURRENCY) {
        const latencies: number[] = [];
        const end = performance.now() + LEVEL_SECONDS * 1_000;
        const sender = async (index: number) => {
          while (performance.now() < end) {
            const workflow = targets === 'one' ? `one-${Math.floor(latencies.length / SIGNALS_PER_WORKFLOW)}` : `spread-${index}-${Math.floor(latencies.length / SIGNALS_PER_WORKFLOW)}`;
            const started = performance.now();
            await client.workflow.signalWithStart('signalRateProbe', {
              workflowId: `bench-signals-${targets}-${concurrency}-${workflow}`,
              taskQueue: 'bench-nobody-polls',
              args: [],
              signal: 'merchantEventPublished',
              signalArgs: [EVENT],
            });
            latencies.push(performance.now() - started);
          }
        };
        const started = performance.now();
        await Promise.all(Array.from({ length: concurrency }, (_, index) => sender(index)));
        const seconds = (performance.now() - started) / 1_000;
        const level: SignalLevel = { targets, concurrency, signals: latencies.length, perSecond: round(latencies.length / seconds), latencyMs: summarize(latencies) };
        levels.push(level);
        ctx.log(`eventlog: ${targets === 'one' ? 'one workflow' : `${concurrency} workflows`}, ${concurrency} senders: ${level.perSecond} signals/s, p50 ${level.latencyMs.p50} / p99 ${level.latencyMs.p99} ms`);
      }
    }
  } finally {
    await connection.close();
    await stack.stop();
  }
  const best = (targets: SignalLevel['targets']) => Math.max(...levels.filter((level) => level.targets === targets).map((level) => level.perSecond));
  return { levelSeconds: LEVEL_SECONDS, levels, oneWorkflowPerSecond: best('one'), spreadPerSecond: best('spread') };
}
