import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = temporal.api.enums.v1.EventType;

/**
 * What one workflow cost the server, read from its history: the things that happened, and the transitions. A type,
 * not an interface, so that it passes where figures by name (Record<string, number>) are aggregated.
 */
export type ServerWork = {
  'history events': number;
  'workflow tasks': number;
  'activity tasks': number;
  signals: number;
  updates: number;
  'timers started': number;
  'timers fired': number;
  'search-attribute upserts': number;
  markers: number;
  /** Child starts and completions, signals delivered to other workflows: each one transaction. */
  'other workflows': number;
  'state transitions': number;
};

/**
 * Event types that mark one state transition each: one transaction on the workflow's mutable state (Temporal's
 * StateTransitionCount counts those). Everything else in the history rides inside one of them: a workflow task's
 * commands (activities scheduled, timers started, search-attribute upserts, markers, update acceptance and
 * completion, the workflow's completion) are written when the task completes, and the next workflow task is
 * scheduled by whatever woke the workflow (start, activity result, signal, timer).
 * - workflow start: 1
 * - workflow task: 2 (started, then completed, failed or timed out)
 * - activity task: 2 (started, then completed, failed, timed out or cancelled; its start event is written with its
 *   result, but the server recorded the start when a worker took the task). Heartbeats are transitions too but leave
 *   no event, so they are not counted here (the server's own count, from DescribeWorkflowExecution, includes them).
 * - signal received, timer fired, child started or completed, signal delivered to another workflow: 1 each
 * - update: 0 (accepted and completed inside workflow tasks; one that is rejected leaves no event at all)
 * A model, so the bench records the server's own count next to it: the two can differ by heartbeats, and by workflow
 * tasks the server handles without persisting each step (a speculative task for an update is written only if kept).
 */
const TRANSITION_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
  EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
  EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
  EventType.EVENT_TYPE_TIMER_FIRED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
]);

const OTHER_WORKFLOW_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
]);

/** State transitions (see TRANSITION_EVENTS) and what caused them, counted from one workflow's history. */
export function serverWork(events: HistoryEvent[]): ServerWork {
  const count = (...types: number[]) => events.filter((event) => types.includes(event.eventType ?? 0)).length;
  return {
    'history events': events.length,
    'workflow tasks': count(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED),
    'activity tasks': count(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED),
    signals: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED),
    updates: count(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED),
    'timers started': count(EventType.EVENT_TYPE_TIMER_STARTED),
    'timers fired': count(EventType.EVENT_TYPE_TIMER_FIRED),
    'search-attribute upserts': count(EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES),
    markers: count(EventType.EVENT_TYPE_MARKER_RECORDED),
    'other workflows': events.filter((event) => OTHER_WORKFLOW_EVENTS.has(event.eventType ?? 0)).length,
    'state transitions': events.filter((event) => TRANSITION_EVENTS.has(event.eventType ?? 0)).length,
  };
}
