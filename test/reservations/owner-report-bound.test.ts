import { Context } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { eventMs, type HistoryEvent } from '../../bench/history';
import { createOwnerReportActivities, type OwnerReportActivities } from '../../activities/owner-report-activities';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, reservationBody, waitForReservation } from '../support/merchant-client';

const EventType = temporal.api.enums.v1.EventType;
const DAY_MS = 86_400_000;
/** Longer than an answer may wait on a report, shorter than the bound of a report nobody waits for (5 s). */
const HOLD_MS = 4_000;
const inSeconds = (seconds: number, extraMs = 0) => new Date(Date.now() + seconds * 1_000 + extraMs).toISOString();

interface ReservationBody {
  id: string;
  status: string;
  refundedMinor: number;
  charges: { paymentIds: string[] }[];
}

/**
 * A charge's payment tells its reservation by a local activity within its workflow task. Held for seconds (a server
 * slow to take the signal), it may hold that task only when nobody waits on it: a refund asked of the charge's payment
 * itself waits on the task that reports the refund, so there the report gives up quickly and the signal command
 * reports instead.
 */
describe("a charge's report to its reservation", () => {
  let stack: ApiStack;
  const told = createOwnerReportActivities();
  const heldReports: OwnerReportActivities = {
    async reportToOwningReservation(input) {
      const { cancellationSignal } = Context.current();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HOLD_MS);
        cancellationSignal.addEventListener('abort', () => (clearTimeout(timer), resolve()));
      });
      return told.reportToOwningReservation(input);
    },
  };

  beforeAll(async () => {
    stack = await startApiStack({ ownerReports: heldReports });
    // No provider webhooks: a webhook's update taken with the charge's report would wait on it too, and so make the
    // report take its tight bound (test/events/event-append-bound.test.ts); the outcomes come from the calls' answers.
    stack.turnstay.setWebhookUrl([]);
    stack.trustist.setWebhookUrl([]);
  });
  afterAll(() => stack?.close());

  /** How long the workflow task that recorded `event` held it (started to completed). */
  function taskHeldMs(events: HistoryEvent[], event: HistoryEvent): number {
    const before = events.slice(0, events.indexOf(event));
    const completed = before.reverse().find((entry) => entry.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) as HistoryEvent;
    const started = events[events.indexOf(completed) - 1] as HistoryEvent;
    expect(started.eventType).toBe(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    return eventMs(completed) - eventMs(started);
  }

  test('the charge reports by the quick path while nobody waits; a refund on its payment is answered without waiting out the report', async () => {
    const booked = await callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: reservationBody({ stay: { checkinAt: inSeconds(60, DAY_MS), checkoutAt: inSeconds(60, 2 * DAY_MS) }, policy: { kind: 'charge_now' } }),
    });
    expect(booked.body.status).toBe('PAID');
    const paymentId = booked.body.charges[0]?.paymentIds[0] as string;
    const payment = stack.client.workflow.getHandle(paymentId);

    // Positive control: the charge's own report waited out the hold (nobody waits on the payment's task).
    const charged = (await payment.fetchHistory()).events ?? [];
    const quickPaths = charged.filter((event) => event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED && event.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(quickPaths.some((marker) => marker.markerRecordedEventAttributes?.failure)).toBe(false);
    expect(Math.max(...quickPaths.map((marker) => taskHeldMs(charged, marker)))).toBeGreaterThanOrEqual(HOLD_MS - 100);
    expect(charged.map((event) => event.eventType)).not.toContain(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);

    const refund = await callApi<{ status: string }>(stack.baseUrl, 'POST', `/v1/payments/${paymentId}/refund`, { body: { amountMinor: 1_000, reason: 'late checkout waived' } });
    expect(refund.body.status).toBe('SUCCEEDED');

    const events = (await payment.fetchHistory()).events ?? [];
    const asked = events.find((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'requestRefund') as HistoryEvent;
    const answered = events.find((event) => String(event.workflowExecutionUpdateCompletedEventAttributes?.acceptedEventId) === String(asked.eventId)) as HistoryEvent;
    expect(taskHeldMs(events, answered)).toBeLessThan(2_500);
    expect(events.map((event) => event.eventType)).toContain(EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED);
    // Told all the same, by the signal command.
    await waitForReservation<ReservationBody>(stack.baseUrl, booked.body.id, (reservation) => reservation.refundedMinor === 1_000, 30_000);
  });
});
