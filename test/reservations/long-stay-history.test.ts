import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, waitForReservation } from '../support/merchant-client';
import { ledger } from '../support/sandbox-client';
import { bookWithHistoryBound } from '../support/history-bound-reservation';

/** The continue-as-new threshold this test gives the reservation, in history events. */
const CONTINUE_AS_NEW_AFTER_EVENTS = 40;

/**
 * A stay that collects many changes continues as new, carrying its state, so its history stays short; the
 * carried state is what gets charged. The event threshold is an input for this test (production relies on the
 * server's continue-as-new suggestion); everything after booking goes through the merchant API.
 */
describe('a long stay with many changes', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  });
  afterAll(() => stack?.close());

  test('continues as new past the threshold, keeps every change, charges the final amount once', async () => {
    const reference = `long-${randomUUID().slice(0, 8)}`;
    const { reservationId, booked } = await bookWithHistoryBound(stack, {
      reference,
      requestFingerprint: 'test',
      continueAsNewAfterEvents: CONTINUE_AS_NEW_AFTER_EVENTS,
      checkinAt: new Date(Date.now() + 15_000).toISOString(),
      checkoutAt: new Date(Date.now() + 86_400_000).toISOString(),
    });
    expect(booked.view.status).toBe('SCHEDULED');
    const firstRunId = (await stack.client.workflow.getHandle(reservationId).describe()).runId;

    for (let change = 1; change <= 25; change += 1) {
      const response = await callApi<{ amountMinor: number }>(stack.baseUrl, 'POST', `/v1/reservations/${reservationId}/change-amount`, {
        body: { amountMinor: 10_000 + change },
      });
      expect(response.status).toBe(200);
      expect(response.body.amountMinor).toBe(10_000 + change);
    }

    // Every run stays short: one run past the threshold by a change or two (each ~17 events) continues as new;
    // without continuing, 25 changes would make one run of ~425 events.
    const runLengths: number[] = [];
    for (let runId: string | undefined = firstRunId; runId; ) {
      const events: temporal.api.history.v1.IHistoryEvent[] = (await stack.client.workflow.getHandle(reservationId, runId).fetchHistory()).events ?? [];
      runLengths.push(events.length);
      runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    expect(runLengths.length).toBeGreaterThan(1);
    for (const length of runLengths) expect(length).toBeLessThan(2 * CONTINUE_AS_NEW_AFTER_EVENTS);

    const state = await callApi<{ amountMinor: number; status: string; transitions: { note?: string }[]; charges: { paymentIds: string[] }[] }>(
      stack.baseUrl, 'GET', `/v1/reservations/${reservationId}`);
    expect(state.body.amountMinor).toBe(10_025);
    expect(state.body.transitions.filter((transition) => transition.note?.startsWith('amount changed'))).toHaveLength(25);

    const paid = await waitForReservation<typeof state.body>(stack.baseUrl, reservationId, (reservation) => reservation.status === 'PAID', 40_000);
    const entries = await ledger(stack.turnstay.apiUrl, paid.charges[0]!.paymentIds[0]!);
    expect(entries.map((entry) => [entry.type, entry.amountMinor])).toEqual([['charge', 10_025]]);
  });
});
