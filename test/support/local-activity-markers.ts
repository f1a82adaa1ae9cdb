import type { temporal } from '@temporalio/proto';

/** The local activities of `activityType` a history recorded: their markers name the activity in their details. */
export function localActivityMarkers(events: temporal.api.history.v1.IHistoryEvent[], activityType: string): temporal.api.history.v1.IHistoryEvent[] {
  return events.filter(
    (event) =>
      event.markerRecordedEventAttributes?.markerName === 'core_local_activity' &&
      Object.values(event.markerRecordedEventAttributes.details ?? {}).some((payloads) => payloads.payloads?.some((payload) => Buffer.from(payload.data ?? []).toString().includes(activityType))),
  );
}
