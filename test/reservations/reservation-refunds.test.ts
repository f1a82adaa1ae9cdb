import { randomUUID } from 'node:crypto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, type PaymentBody, waitForReservation, reservationBody } from '../support/merchant-client';
import { ledger, setFaults } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';

interface ReservationBody {
  id: string;
  status: string;
  refundedMinor: number;
  refundPending?: boolean;
  charges: { id: string; status: string; paymentIds: string[] }[];
}

const DAY_MS = 86_400_000;
/** The refund answer budget of this file's stack: a cancel answers within it (plus the slack below) whatever the provider does. */
const REFUND_ANSWER_WITHIN_MS = 3_000;
/** Room for a loaded machine on top of the budget: an update's round trip, the API, the child payment's signal. */
const CANCEL_ANSWER_SLACK_MS = 15_000;
const inSeconds = (seconds: number, extraMs = 0) => new Date(Date.now() + seconds * 1_000 + extraMs).toISOString();

/**
 * Issue 13 §1: a charge has one owner of its refunds, its payment workflow, also when the reservation that made
 * the charge is cancelled. The payment, the reservation and the provider must agree.
 */
describe('reservation refunds', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ timing: { refundAnswerWithinMs: REFUND_ANSWER_WITHIN_MS, refundRetryDelaysMs: [1_000] } });
  });
  afterAll(() => stack?.close());

  const book = (reference: string) =>
    callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'turnstay',
        amountMinor: 40_000,
        currency: 'GBP',
        reference,
        card: testCard(TEST_CARDS.frictionless),
        payer: { email: 'guest@example.com' },
        stay: { checkinAt: inSeconds(60, DAY_MS), checkoutAt: inSeconds(60, 2 * DAY_MS) },
        policy: { kind: 'charge_now' },
      },
    });
  const waitFor = (id: string, accept: (reservation: ReservationBody) => boolean, timeoutMs: number) => waitForReservation<ReservationBody>(stack.baseUrl, id, accept, timeoutMs);

  test('cancel a paid reservation, then refund its child payment: refused, the child shows the refund, one refund in the ledger', async () => {
    const booked = await callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: reservationBody({ stay: { checkinAt: inSeconds(60, DAY_MS), checkoutAt: inSeconds(60, 2 * DAY_MS) }, policy: { kind: 'charge_now' } }),
    });
    expect(booked.body.status).toBe('PAID');
    const childId = booked.body.charges[0]?.paymentIds[0] as string;

    const cancelled = await callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/cancel`, { body: { reason: 'trip called off' } });
    expect(cancelled.body).toMatchObject({ status: 'REFUNDED', refundedMinor: 40_000 });

    const child = await callApi<PaymentBody & { refunds: { status: string; amountMinor: number }[] }>(stack.baseUrl, 'GET', `/v1/payments/${childId}`);
    expect(child.body).toMatchObject({ status: 'REFUNDED', refundedMinor: 40_000 });
    expect(child.body.refunds).toEqual([expect.objectContaining({ status: 'SUCCEEDED', amountMinor: 40_000 })]);

    const again = await callApi(stack.baseUrl, 'POST', `/v1/payments/${childId}/refund`, { body: {}, headers: { 'idempotency-key': `refund-${randomUUID()}` } });
    expect(again.status).toBe(409);
    const entries = await ledger(stack.turnstay.apiUrl, childId);
    expect(entries.map((entry) => [entry.type, entry.amountMinor])).toEqual([['charge', 40_000], ['refund', 40_000]]);
  });

  test('cancel while every answer of the provider to the refund is lost: the cancel answers within the refund budget (202, refund pending), the refund completes once later', async () => {
    const booked = await book(`stay-${randomUUID().slice(0, 12)}`);
    expect(booked.body.status).toBe('PAID');
    const childId = booked.body.charges[0]?.paymentIds[0] as string;
    // The provider makes each refund and loses the answer; its refund lookup answers are lost too.
    await setFaults(stack.turnstay.apiUrl, { failNext: { count: 1_000, kind: 'status', status: 502, phase: 'after', pathPrefix: '/api/v1/refund' } });
    try {
      const askedAt = Date.now();
      const cancelCall = callApi<ReservationBody>(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/cancel`, { body: { reason: 'trip called off' } });
      const bound = REFUND_ANSWER_WITHIN_MS + CANCEL_ANSWER_SLACK_MS;
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([cancelCall, new Promise<'no answer'>((done) => (timer = setTimeout(() => done('no answer'), bound)))]);
      clearTimeout(timer);
      expect(answered === 'no answer' ? `no answer within ${bound} ms` : 'answered').toBe('answered');
      const cancelled = answered as Exclude<typeof answered, 'no answer'>;
      expect(Date.now() - askedAt).toBeLessThan(bound);
      expect(cancelled.status).toBe(202);
      expect(cancelled.body).toMatchObject({ status: 'CANCELLED', refundPending: true, refundedMinor: 0 });
      // Cancelled: no change is taken any more, and the child payment takes no second refund of the same money.
      const change = await callApi(stack.baseUrl, 'POST', `/v1/reservations/${booked.body.id}/change-amount`, { body: { amountMinor: 50_000 } });
      expect(change.status).toBe(409);
      const refundAgain = await callApi(stack.baseUrl, 'POST', `/v1/payments/${childId}/refund`, { body: {}, headers: { 'idempotency-key': `refund-${randomUUID()}` } });
      expect(refundAgain.status).toBe(409);
    } finally {
      await setFaults(stack.turnstay.apiUrl, {});
    }

    // The provider answers again: the refund is resolved in the background and the reservation shows it.
    const refunded = await waitFor(booked.body.id, (reservation) => reservation.status === 'REFUNDED', 120_000);
    expect(refunded).toMatchObject({ status: 'REFUNDED', refundPending: false, refundedMinor: 40_000 });
    const child = await callApi<PaymentBody & { refunds: { status: string; amountMinor: number }[] }>(stack.baseUrl, 'GET', `/v1/payments/${childId}`);
    expect(child.body).toMatchObject({ status: 'REFUNDED', refundedMinor: 40_000 });
    expect(child.body.refunds).toEqual([expect.objectContaining({ status: 'SUCCEEDED', amountMinor: 40_000 })]);
    const entries = await ledger(stack.turnstay.apiUrl, childId);
    expect(entries.map((entry) => [entry.type, entry.amountMinor])).toEqual([['charge', 40_000], ['refund', 40_000]]);
  }, 240_000);
});
