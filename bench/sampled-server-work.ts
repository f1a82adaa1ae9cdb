import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { paymentWorkflowId } from '../api/start-payment';
import { aggregatePhases, fetchEvents, type HistoryEvent } from './history';
import type { TimedSample } from './load';
import { MERCHANT_ID } from './stack';
import { serverWork } from './state-transitions';

const EventType = temporal.api.enums.v1.EventType;

/**
 * What the payments of a load window cost the server, from an even sample of their histories: under load a payment
 * can cost more than in the latency scenario (a quick path missed, a task retried), and this shows by how much.
 */
export interface SampledServerWork {
  sampled: number;
  /** serverWork() of each sampled history (a payment, or a reservation in scenario 4): p50 and mean. */
  perPayment: Record<string, { p50: number; mean: number }>;
  /** Activity tasks scheduled per payment, by activity type (mean): e.g. merchant events that missed the quick path. */
  activitiesPerPayment: Record<string, number>;
}

/** Activity types scheduled in one history, counted. */
export function activityTypes(events: HistoryEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) {
    if (event.eventType !== EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) continue;
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** Mean count per history of each activity type (0 where a history has none). */
export function meanActivities(histories: HistoryEvent[][]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const counts of histories.map(activityTypes)) for (const [name, count] of Object.entries(counts)) totals[name] = (totals[name] ?? 0) + count;
  return Object.fromEntries(Object.entries(totals).map(([name, total]) => [name, Math.round((total / histories.length) * 100) / 100]));
}

/** Up to `size` of the items, evenly spread over them. */
export function evenSample<T>(items: T[], size: number): T[] {
  const step = Math.max(1, Math.floor(items.length / size));
  return items.filter((_, index) => index % step === 0).slice(0, size);
}

/** The server work of these workflows, from their histories. */
export async function sampleServerWork(address: string, namespace: string, workflowIds: string[]): Promise<SampledServerWork | undefined> {
  if (workflowIds.length === 0) return undefined;
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    const histories = await Promise.all(workflowIds.map((workflowId) => fetchEvents(client, workflowId)));
    return { sampled: histories.length, perPayment: aggregatePhases(histories.map(serverWork)), activitiesPerPayment: meanActivities(histories) };
  } finally {
    await connection.close();
  }
}

/** A load window's answered payments, 30 of them evenly spread. */
export function sampledPaymentIds(samples: TimedSample[]): string[] {
  return evenSample(samples.filter((sample) => sample.ok && sample.reference), 30).map((sample) => paymentWorkflowId(MERCHANT_ID, sample.reference as string));
}

/** Activities per workflow by type, e.g. `tokenizeCardFromVault 1, publishMerchantEvent 0.17`. */
export function describeActivities(work: SampledServerWork): string {
  return Object.entries(work.activitiesPerPayment)
    .map(([name, mean]) => `${name} ${mean}`)
    .join(', ');
}

/** One line for the log: transitions and activities per workflow. */
export function describeServerWork(work: SampledServerWork): string {
  return `${work.sampled} sampled: ${work.perPayment['state transitions']?.mean} state transitions, ${work.perPayment['workflow tasks']?.mean} workflow tasks each (mean); activities each: ${describeActivities(work)}`;
}
