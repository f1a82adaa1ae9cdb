import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TimedSample } from './load';
import { paymentWorkflowId } from '../api/start-payment';
import { countTimeouts, eventMs, fetchEvents, retriedActivities, type HistoryEvent } from './history';
import { round } from './proc-stats';
import { percentile } from './stats';
import { MERCHANT_ID } from './stack';

const EventType = temporal.api.enums.v1.EventType;

/** Where the slowest payments of a load window lost their time: the tail, explained from their histories. */
export interface SlowestPayments {
  /** How many were looked at: the slowest 1% (5 to 20). */
  count: number;
  clientMs: { min: number; p50: number; max: number };
  /** First event to the first-outcome update completed, server clock: client time the history does not hold is the API's or the network's. */
  historyMs: { p50: number; max: number };
  /** Each history's longest wait between two consecutive events up to the answer, by the pair of event types: how many, and p50 ms. */
  longestGaps: Record<string, { count: number; p50Ms: number }>;
  timeouts: Record<string, number>;
  retriedActivities: Record<string, number>;
  /** From the first to the last of their starts (server clock): small when one stall held them all. */
  startsWithinMs: number;
  /** The three slowest, to open in the Web UI (or the kept data of a `--keep-data` run). */
  workflowIds: string[];
}

const typeName = (event: HistoryEvent) => (EventType[event.eventType ?? 0] ?? '?').replace('EVENT_TYPE_', '');

function longestGap(events: HistoryEvent[]): { pair: string; ms: number } | undefined {
  let longest: { pair: string; ms: number } | undefined;
  for (let index = 1; index < events.length; index += 1) {
    const previous = events[index - 1] as HistoryEvent;
    const next = events[index] as HistoryEvent;
    const ms = eventMs(next) - eventMs(previous);
    if (!longest || ms > longest.ms) longest = { pair: `${typeName(previous)} → ${typeName(next)}`, ms };
  }
  return longest;
}

/** The history up to the answer to `POST /v1/payments` (the first-outcome update completed): what the client waited on. */
function untilAnswered(events: HistoryEvent[]): HistoryEvent[] {
  const answered = events.findIndex((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED);
  return answered < 0 ? events : events.slice(0, answered + 1);
}

function spanMs(events: HistoryEvent[]): number {
  const first = events[0];
  const last = events.at(-1);
  return first && last ? eventMs(last) - eventMs(first) : Number.NaN;
}

export async function explainSlowest(address: string, namespace: string, samples: TimedSample[]): Promise<SlowestPayments | undefined> {
  const slowest = samples
    .filter((sample) => sample.ok && sample.reference)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, Math.min(20, Math.max(5, Math.ceil(samples.length / 100))));
  if (slowest.length === 0) return undefined;
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    const workflowIds = slowest.map((sample) => paymentWorkflowId(MERCHANT_ID, sample.reference as string));
    const histories = await Promise.all(workflowIds.map((workflowId) => fetchEvents(client, workflowId)));
    const answered = histories.map(untilAnswered);
    const gaps = new Map<string, number[]>();
    for (const gap of answered.map(longestGap)) if (gap) gaps.set(gap.pair, [...(gaps.get(gap.pair) ?? []), gap.ms]);
    const clientMs = slowest.map((sample) => sample.ms).sort((a, b) => a - b);
    const serverMs = answered.map(spanMs).filter(Number.isFinite).sort((a, b) => a - b);
    const starts = histories.flatMap((events) => (events[0] ? [eventMs(events[0])] : []));
    return {
      count: slowest.length,
      clientMs: { min: round(clientMs[0] as number), p50: round(percentile(clientMs, 50)), max: round(clientMs.at(-1) as number) },
      historyMs: { p50: round(percentile(serverMs, 50)), max: round(serverMs.at(-1) ?? Number.NaN) },
      longestGaps: Object.fromEntries(
        [...gaps.entries()].sort((a, b) => b[1].length - a[1].length).map(([pair, list]) => [pair, { count: list.length, p50Ms: round(percentile(list.sort((a, b) => a - b), 50)) }]),
      ),
      timeouts: countTimeouts(histories),
      retriedActivities: retriedActivities(histories),
      startsWithinMs: round(Math.max(...starts) - Math.min(...starts)),
      workflowIds: workflowIds.slice(0, 3),
    };
  } finally {
    await connection.close();
  }
}

/** One line for the log and the report: client against history time, and the waits that made the tail. */
export function describeSlowest(slowest: SlowestPayments): string {
  const gaps = Object.entries(slowest.longestGaps)
    .map(([pair, gap]) => `${pair} ×${gap.count} (p50 ${gap.p50Ms} ms)`)
    .join(', ');
  const extra = [
    Object.keys(slowest.timeouts).length ? `timeouts ${JSON.stringify(slowest.timeouts)}` : '',
    Object.keys(slowest.retriedActivities).length ? `retried ${JSON.stringify(slowest.retriedActivities)}` : '',
  ].filter(Boolean);
  const when = slowest.workflowIds.length ? [`started within ${slowest.startsWithinMs} ms; slowest ${slowest.workflowIds.join(', ')}`] : [];
  return [`client ${slowest.clientMs.min}–${slowest.clientMs.max} ms (p50 ${slowest.clientMs.p50}), history p50 ${slowest.historyMs.p50} ms; longest wait: ${gaps}`, ...extra, ...when].join('; ');
}
