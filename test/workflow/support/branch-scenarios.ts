import { randomUUID } from 'node:crypto';
import { merchantEventId, merchantEventLogId, type MerchantEvent } from '../../../domain/merchant-event';
import { DEFAULT_DELIVERY_SETTINGS, type MerchantEventLogInput, type PublishedEvent } from '../../../workflows/merchant-event-log-types';
import { merchantEventTaskQueue } from '../../../workflows/merchant-event-task-queue';
import { merchantEventsAfterQuery } from '../../../workflows/messages';
import type { ApiStack } from '../../support/api-stack';
import { callApi, createPayment, paymentBody, reservationBody, waitForPayment, waitForReservation } from '../../support/merchant-client';
import { localActivityMarkers } from '../../support/local-activity-markers';
import { historyUntil } from '../../support/workflow-test-worker';
import type { HistoryEvent } from '../../../bench/history';
import { completeChallenge, setFaults, setWebhookMode } from '../../support/sandbox-client';
import { testCard, TEST_CARDS } from '../../support/test-cards';
import { bookWithHistoryBound } from '../../support/history-bound-reservation';

/** A workflow run whose history the replay test checks (and records with RECORD_HISTORIES=1). */
export interface RecordedRun {
  workflowId: string;
  /** A run before the latest one (a run that continued as new); the latest run when absent. */
  runId?: string;
  /** Added to the fixture's file name to tell runs of one workflow apart. */
  suffix?: string;
}

interface Reservation {
  id: string;
  status: string;
  charges: { attempts: number; paymentIds: string[]; supersededPaymentIds?: string[] }[];
  transitions: { status: string; note?: string }[];
}

const DAY_MS = 86_400_000;
const inSeconds = (seconds: number, extraMs = 0) => new Date(Date.now() + seconds * 1_000 + extraMs).toISOString();
/** References that name the branch, so each fixture's file says what it holds. */
const branchReference = (branch: string) => `${branch}-${randomUUID().slice(0, 8)}`;

/**
 * One run of each payment and reservation branch the older fixtures lacked (issue 16): full refund, cancel before
 * the charge, lost answers settled by the status endpoint (TurnStay) and by a webhook (Trustist), a challenge
 * finished by a poll and by the merchant's signal, a date change, dunning to success and to failure, continue-as-new.
 * Each asserts that its branch was taken, so a fixture recorded from it holds the branch it is named after.
 */
export async function runBranchScenarios(stack: ApiStack): Promise<RecordedRun[]> {
  const runs: RecordedRun[] = [];
  const payments = (await Promise.all([fullRefund(stack), cancelBeforeCharge(stack)])).flat();
  runs.push(...payments, ...(await lostAnswers(stack)), ...(await challengeWithoutWebhook(stack)));
  runs.push(...(await Promise.all([dateChange(stack), dunningToFailure(stack), continuedAsNew(stack), eventLogMovedToItsQueue(stack), eventLogTakesABatch(stack)])).flat());
  // Alone: their injected failures must reach this reservation's charge, not another's.
  runs.push(...(await dunningToSuccess(stack)), ...(await silentChargeLookedUp(stack)));
  return runs;
}

async function fullRefund(stack: ApiStack): Promise<RecordedRun[]> {
  const payment = await createPayment(stack.baseUrl, paymentBody('turnstay', { reference: branchReference('refund-full') }));
  const refund = await callApi<{ status: string }>(stack.baseUrl, 'POST', `/v1/payments/${payment.body.id}/refund`, { body: { reason: 'replay fixture: full refund' } });
  expect(refund.body.status).toBe('SUCCEEDED');
  await waitForPayment(stack.baseUrl, payment.body.id, (current) => current.status === 'REFUNDED');
  return [{ workflowId: payment.body.id }];
}

async function cancelBeforeCharge(stack: ApiStack): Promise<RecordedRun[]> {
  const payment = await createPayment(stack.baseUrl, paymentBody('turnstay', { reference: branchReference('cancel-pending'), card: testCard(TEST_CARDS.challenge) }));
  expect(payment.body.status).toBe('PENDING_ACTION');
  const cancelled = await callApi<{ status: string }>(stack.baseUrl, 'POST', `/v1/payments/${payment.body.id}/cancel`, { body: { reason: 'replay fixture: shopper gave up' } });
  expect(cancelled.body.status).toBe('CANCELLED');
  return [{ workflowId: payment.body.id }];
}

/** A garbled answer after the charge: TurnStay's status endpoint reveals it; Trustist's webhook names the payment. */
async function lostAnswers(stack: ApiStack): Promise<RecordedRun[]> {
  await setFaults(stack.turnstay.scsUrl, { failNext: { count: 1, kind: 'malformed', phase: 'after', pathPrefix: '/api/v1/public/payment/intent' } });
  const byStatus = await createPayment(stack.baseUrl, paymentBody('turnstay', { reference: branchReference('lost-answer-status') }));
  expect(byStatus.body.status).toBe('COMPLETE');
  expect(byStatus.body.transitions.at(-1)?.note).toMatch(/after a failed submission/);
  await setFaults(stack.trustist.apiUrl, { failNext: { count: 1, kind: 'malformed', phase: 'after', pathPrefix: '/v1/payments/server-to-server' } });
  const byWebhook = await createPayment(stack.baseUrl, paymentBody('trustist', { reference: branchReference('lost-answer-webhook') }));
  expect(byWebhook.body.status).toBe('COMPLETE');
  expect(byWebhook.body.transitions.map((transition) => transition.note ?? '').join(' ')).toMatch(/after a failed submission/);
  return [{ workflowId: byStatus.body.id }, { workflowId: byWebhook.body.id }];
}

/** Webhooks dropped: one challenge is finished by the merchant front end's signal, the other by a status poll. */
async function challengeWithoutWebhook(stack: ApiStack): Promise<RecordedRun[]> {
  await setWebhookMode(stack.turnstay.apiUrl, 'drop');
  try {
    const signalled = await createPayment(stack.baseUrl, paymentBody('turnstay', { reference: branchReference('challenge-signal'), card: testCard(TEST_CARDS.challenge) }));
    const polled = await createPayment(stack.baseUrl, paymentBody('turnstay', { reference: branchReference('challenge-poll'), card: testCard(TEST_CARDS.challenge) }));
    await completeChallenge(signalled.body.nextAction!.url, 'authenticate');
    await callApi(stack.baseUrl, 'POST', `/v1/payments/${signalled.body.id}/challenge-complete`, { body: { outcome: 'authenticated' } });
    await completeChallenge(polled.body.nextAction!.url, 'authenticate');
    const bySignal = await waitForPayment(stack.baseUrl, signalled.body.id, (payment) => payment.status === 'COMPLETE');
    const byPoll = await waitForPayment(stack.baseUrl, polled.body.id, (payment) => payment.status === 'COMPLETE');
    // The signal races the 500 ms poll; either way the history replays, and the recorded fixture was the signal's.
    if (process.env.RECORD_HISTORIES === '1') expect(bySignal.transitions.at(-1)?.note).toMatch(/after a webhook or merchant signal/);
    expect(byPoll.transitions.at(-1)?.note).toMatch(/by polling/);
    return [{ workflowId: signalled.body.id }, { workflowId: polled.body.id }];
  } finally {
    await setWebhookMode(stack.turnstay.apiUrl, 'deliver');
  }
}

const book = (stack: ApiStack, branch: string, overrides: Record<string, unknown>) =>
  callApi<Reservation>(stack.baseUrl, 'POST', '/v1/reservations', { body: reservationBody({ reference: branchReference(branch), ...overrides }) });
const chargedADayBefore = (seconds: number) => ({
  stay: { checkinAt: inSeconds(seconds, DAY_MS), checkoutAt: inSeconds(seconds, 2 * DAY_MS) },
  policy: { kind: 'days_before_checkin', days: 1 },
});
/** The reservation, each attempt's payment and each payment scheduled ahead and superseded before it ran. */
const withPayments = (reservation: Reservation): RecordedRun[] => [
  { workflowId: reservation.id },
  ...reservation.charges.flatMap((charge) => [...charge.paymentIds, ...(charge.supersededPaymentIds ?? [])].map((workflowId) => ({ workflowId }))),
];

async function dateChange(stack: ApiStack): Promise<RecordedRun[]> {
  const booked = await book(stack, 'stay-moved', { stay: { checkinAt: inSeconds(4), checkoutAt: inSeconds(4, DAY_MS) }, policy: { kind: 'on_checkin' } });
  const moved = await callApi(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-stay`, { body: { checkinAt: inSeconds(6), checkoutAt: inSeconds(6, DAY_MS) } });
  expect(moved.status).toBe(200);
  const paid = await waitForReservation<Reservation>(stack.baseUrl, booked.body.id, (reservation) => reservation.status === 'PAID');
  expect(paid.transitions.some((transition) => transition.note?.startsWith('stay moved to'))).toBe(true);
  // Its charge's payment, scheduled ahead for the old date, stood down unrun (patch charges-scheduled-ahead).
  expect(paid.charges[0]?.supersededPaymentIds).toHaveLength(1);
  return withPayments(paid);
}

async function dunningToFailure(stack: ApiStack): Promise<RecordedRun[]> {
  const booked = await book(stack, 'dunning-failed', { card: testCard(TEST_CARDS.insufficientFunds), dunning: { delaysSeconds: [1, 1] }, ...chargedADayBefore(3) });
  const failed = await waitForReservation<Reservation>(stack.baseUrl, booked.body.id, (reservation) => reservation.status === 'FAILED', 40_000);
  expect(failed.charges[0]?.attempts).toBe(3);
  return withPayments(failed);
}

async function dunningToSuccess(stack: ApiStack): Promise<RecordedRun[]> {
  const booked = await book(stack, 'dunning-paid', { dunning: { delaysSeconds: [2, 2] }, ...chargedADayBefore(4) });
  await setFaults(stack.turnstay.scsUrl, { failNext: { count: 1, kind: 'status', status: 402, pathPrefix: '/api/v1/public/payment/intent' } });
  const paid = await waitForReservation<Reservation>(stack.baseUrl, booked.body.id, (reservation) => reservation.status === 'PAID');
  expect(paid.charges[0]?.attempts).toBe(2);
  expect(paid.transitions.some((transition) => transition.status === 'RETRY_SCHEDULED')).toBe(true);
  return withPayments(paid);
}

/**
 * A charge's payment that retries at its provider past the reservation's silence bound: the reservation looks it up,
 * finds it running, and waits again with the bound doubled (needs the stack's 2 s `scheduledChargeSilenceMs`).
 */
async function silentChargeLookedUp(stack: ApiStack): Promise<RecordedRun[]> {
  const booked = await book(stack, 'stay-silent', chargedADayBefore(2));
  // The provider fails until the reservation has looked the payment up twice (found running, waited doubled, asked
  // again), however slow the machine; then the payment's next retry charges and it reports.
  await setFaults(stack.turnstay.apiUrl, { failNext: { count: 1_000, kind: 'status', status: 503, pathPrefix: '/api/v1/payments/intent' } });
  const lookedUpTwice = (events: HistoryEvent[]) => localActivityMarkers(events, 'describeOwnedPayment').length >= 2;
  await historyUntil(stack.client.workflow.getHandle(booked.body.id), lookedUpTwice, 40_000); // fails at its timeout
  await setFaults(stack.turnstay.apiUrl, {});
  const paid = await waitForReservation<Reservation>(stack.baseUrl, booked.body.id, (reservation) => reservation.status === 'PAID', 60_000);
  return withPayments(paid);
}

/** A stay that collects changes past its history bound continues as new: the run that ended so, and the next. */
async function continuedAsNew(stack: ApiStack): Promise<RecordedRun[]> {
  const reference = branchReference('stay-continued');
  const { reservationId } = await bookWithHistoryBound(stack, {
    reference,
    requestFingerprint: 'replay-fixture',
    continueAsNewAfterEvents: 40,
    checkinAt: inSeconds(0, DAY_MS),
    checkoutAt: inSeconds(0, 2 * DAY_MS),
  });
  const firstRunId = (await stack.client.workflow.getHandle(reservationId).describe()).runId;
  for (let change = 1; change <= 25; change += 1) {
    const changed = await callApi(stack.baseUrl, 'POST', `/v1/reservations/${reservationId}/change-amount`, { body: { amountMinor: 10_000 + change } });
    expect(changed.status).toBe(200);
  }
  const firstRun = await stack.client.workflow.getHandle(reservationId, firstRunId).fetchHistory();
  expect(firstRun.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  return [{ workflowId: reservationId, runId: firstRunId, suffix: 'first-run' }, { workflowId: reservationId }];
}

/** A merchant's event log taking events that reached one worker together, in one signal (`merchantEventsPublished`). */
async function eventLogTakesABatch(stack: ApiStack): Promise<RecordedRun[]> {
  const merchantId = branchReference('log-batch');
  const workflowId = merchantEventLogId(merchantId, stack.taskQueue);
  const paymentId = `payment-${merchantId}-order`;
  const published = (sequence: number): PublishedEvent => ({
    event: {
      id: merchantEventId(paymentId, sequence),
      type: 'payment.completed',
      timestamp: new Date().toISOString(),
      data: { object: 'payment', paymentId, reference: 'order', sequence, status: 'COMPLETE', provider: 'turnstay', amountMinor: 100, currency: 'GBP', refundedMinor: 0, card: { brand: 'visa', last4: '4242' } },
    },
    endpointIds: [],
  });
  const log = { workflowId, taskQueue: merchantEventTaskQueue(stack.taskQueue), args: [{ merchantId, settings: DEFAULT_DELIVERY_SETTINGS } satisfies MerchantEventLogInput] };
  await stack.client.workflow.signalWithStart('merchantEventLogWorkflow', { ...log, signal: 'merchantEventPublished', signalArgs: [published(1)] });
  // The batch repeats an event (a publisher retried): the log keeps it once.
  await stack.client.workflow.signalWithStart('merchantEventLogWorkflow', { ...log, signal: 'merchantEventsPublished', signalArgs: [[published(2), published(3), published(2)]] });
  const page = await stack.client.workflow.getHandle(workflowId).query(merchantEventsAfterQuery, { after: 0, limit: 10 });
  expect(page.events.map((event) => [event.cursor, event.data.sequence])).toEqual([[1, 1], [2, 2], [3, 3]]);
  return [{ workflowId }];
}

/**
 * A merchant's event log started on the payments' queue, as logs were before patch `event-log-own-queue`, past its
 * history bound: it continues as new onto the merchant-event queue. The run that ended so, and the next.
 */
async function eventLogMovedToItsQueue(stack: ApiStack): Promise<RecordedRun[]> {
  const merchantId = branchReference('log-moved');
  const workflowId = merchantEventLogId(merchantId, stack.taskQueue);
  const settings = { ...DEFAULT_DELIVERY_SETTINGS, windowSize: 5, continueAsNewAfterEvents: 30 };
  let firstRunId: string | undefined;
  // Published one by one until the run continues as new (signals that arrive together share a workflow task).
  for (let sequence = 1; (await stack.client.workflow.getHandle(workflowId).describe().catch(() => undefined))?.runId === firstRunId; sequence += 1) {
    if (sequence > 200) throw new Error('the event log never continued as new');
    const event: MerchantEvent = {
      id: merchantEventId(`payment-${merchantId}-order`, sequence),
      type: 'payment.completed',
      timestamp: new Date().toISOString(),
      data: { object: 'payment', paymentId: `payment-${merchantId}-order`, reference: 'order', sequence, status: 'COMPLETE', provider: 'turnstay', amountMinor: 100, currency: 'GBP', refundedMinor: 0, card: { brand: 'visa', last4: '4242' } },
    };
    const published = await stack.client.workflow.signalWithStart('merchantEventLogWorkflow', {
      workflowId,
      taskQueue: stack.taskQueue,
      args: [{ merchantId, settings } satisfies MerchantEventLogInput],
      signal: 'merchantEventPublished',
      signalArgs: [{ event, endpointIds: [] } satisfies PublishedEvent],
    });
    firstRunId ??= published.signaledRunId;
  }
  const current = await stack.client.workflow.getHandle(workflowId).describe();
  expect({ moved: current.runId !== firstRunId, taskQueue: current.taskQueue }).toEqual({ moved: true, taskQueue: merchantEventTaskQueue(stack.taskQueue) });
  return [{ workflowId, runId: firstRunId, suffix: 'first-run' }, { workflowId }];
}
