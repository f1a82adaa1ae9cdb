import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { round } from './proc-stats';
import { percentile } from './stats';

export type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

export function eventMs(event: HistoryEvent): number {
  return event.eventTime ? protoMs(event.eventTime) : Number.NaN;
}

/** A protobuf Timestamp or Duration in milliseconds. */
function protoMs(time: { seconds?: unknown; nanos?: number | null }): number {
  return Number(time.seconds ?? 0) * 1_000 + (time.nanos ?? 0) / 1e6;
}

export async function fetchEvents(client: Client, workflowId: string): Promise<HistoryEvent[]> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

interface ActivitySpan {
  name: string;
  scheduled: number;
  started?: number;
  closed?: number;
}

function activitySpans(events: HistoryEvent[]): ActivitySpan[] {
  const byScheduledId = new Map<string, ActivitySpan>();
  const spans: ActivitySpan[] = [];
  for (const event of events) {
    const at = eventMs(event);
    if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
      const span = { name: event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?', scheduled: at };
      byScheduledId.set(String(event.eventId), span);
      spans.push(span);
    }
    const started = event.activityTaskStartedEventAttributes?.scheduledEventId;
    if (started !== undefined && started !== null) {
      const span = byScheduledId.get(String(started));
      if (span) span.started = at;
    }
    const closed =
      event.activityTaskCompletedEventAttributes?.scheduledEventId ??
      event.activityTaskFailedEventAttributes?.scheduledEventId ??
      event.activityTaskTimedOutEventAttributes?.scheduledEventId;
    if (closed !== undefined && closed !== null) {
      const span = byScheduledId.get(String(closed));
      if (span) span.closed = at;
    }
  }
  return spans;
}

type FinishedSpan = Required<ActivitySpan>;

function finished(span: ActivitySpan | undefined): span is FinishedSpan {
  return span?.started !== undefined && span.closed !== undefined;
}

/**
 * Where the time of one frictionless payment went, from its history (server clock): waiting for a worker to pick
 * up each task ("queued") versus doing the work. Undefined for a history that does not have both provider calls.
 */
export function paymentPhases(events: HistoryEvent[]): Record<string, number> | undefined {
  const spans = activitySpans(events);
  // Created with its card's (or token's) submission in one activity (issue 17): no task between the calls.
  const charge = spans.find((span) => span.name === 'prepareAndSubmitCardFromVault' || span.name === 'prepareAndSubmitTokenizedCard');
  if (charge) {
    if (!finished(charge)) return undefined;
    return phasesAround(events, charge, charge, {
      'create intent + card submission: queued': charge.started - charge.scheduled,
      'create intent + card submission: provider calls': charge.closed - charge.started,
    });
  }
  const prepare = spans.find((span) => span.name === 'preparePayment');
  const submit = spans.find((span) => span.name === 'submitCardFromVault' || span.name === 'submitTokenizedCard');
  if (!finished(prepare) || !finished(submit)) return undefined;
  return phasesAround(events, prepare, submit, {
    'create intent: queued': prepare.started - prepare.scheduled,
    'create intent: provider call': prepare.closed - prepare.started,
    'workflow task between the calls': submit.scheduled - prepare.closed,
    'card submission: queued': submit.started - submit.scheduled,
    'card submission: provider call': submit.closed - submit.started,
  });
}

/** The first workflow task before the provider calls' phases, the outcome task and the total after them. */
function phasesAround(events: HistoryEvent[], firstCall: FinishedSpan, lastCall: FinishedSpan, calls: Record<string, number>): Record<string, number> | undefined {
  const first = events[0];
  const firstTaskStarted = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  const outcomeTask = events.find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && eventMs(event) >= lastCall.closed);
  if (!first || !firstTaskStarted || !outcomeTask) return undefined;
  // A reservation's charge created ahead starts when its start delay ends (its due instant), not when it was created.
  const delay = first.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff;
  const start = eventMs(first) + (delay ? protoMs(delay) : 0);
  return {
    'first workflow task queued': eventMs(firstTaskStarted) - start,
    'first workflow task to create-intent scheduled': firstCall.scheduled - eventMs(firstTaskStarted),
    ...calls,
    'outcome workflow task': eventMs(outcomeTask) - lastCall.closed,
    'total (history)': eventMs(outcomeTask) - start,
  };
}

/** Median and mean of each phase over many histories. */
export function aggregatePhases(all: Record<string, number>[]): Record<string, { p50: number; mean: number }> {
  const result: Record<string, { p50: number; mean: number }> = {};
  for (const name of Object.keys(all[0] ?? {})) {
    const values = all.map((phases) => phases[name] as number).sort((a, b) => a - b);
    result[name] = { p50: round(percentile(values, 50)), mean: round(values.reduce((sum, value) => sum + value, 0) / values.length) };
  }
  return result;
}

/** Timeouts and failures recorded in the histories (what a crash costs shows up here). */
export function countTimeouts(histories: HistoryEvent[][]): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (key: string) => (counts[key] = (counts[key] ?? 0) + 1);
  for (const events of histories) {
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) {
        add(`workflow task ${temporal.api.enums.v1.TimeoutType[event.workflowTaskTimedOutEventAttributes?.timeoutType ?? 0]}`);
      } else if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT) {
        add(`activity ${temporal.api.enums.v1.TimeoutType[event.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType ?? 0]}`);
      } else if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) {
        add('workflow task failed');
      }
    }
  }
  return counts;
}

/** For activities retried after a timeout: the attempt that succeeded (ACTIVITY_TASK_STARTED attempt > 1). */
export function retriedActivities(histories: HistoryEvent[][]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const events of histories) {
    const spans = new Map<string, string>();
    for (const event of events) {
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) spans.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityType?.name ?? '?');
      const started = event.activityTaskStartedEventAttributes;
      if (started && (started.attempt ?? 1) > 1) {
        const name = spans.get(String(started.scheduledEventId)) ?? '?';
        counts[name] = (counts[name] ?? 0) + 1;
      }
    }
  }
  return counts;
}

/** Timer fired to the next workflow task starting: how long a due reservation waited for the worker. */
export function timerToTaskMs(events: HistoryEvent[]): number | undefined {
  const fired = events.findIndex((event) => event.eventType === EventType.EVENT_TYPE_TIMER_FIRED);
  if (fired < 0) return undefined;
  const next = events.slice(fired).find((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
  return next ? eventMs(next) - eventMs(events[fired] as HistoryEvent) : undefined;
}
