import { randomUUID } from 'node:crypto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, type PaymentBody } from '../support/merchant-client';
import { ledger } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';

interface ReservationBody {
  id: string;
  status: string;
  refundedMinor: number;
  charges: { id: string; status: string; paymentIds: string[] }[];
}

const DAY_MS = 86_400_000;
const inSeconds = (seconds: number, extraMs = 0) => new Date(Date.now() + seconds * 1_000 + extraMs).toISOString();

/**
 * Issue 13 §1: a charge has one owner of its refunds, its payment workflow, also when the reservation that made
 * the charge is cancelled. The payment, the reservation and the provider must agree.
 */
describe('reservation refunds', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack();
  });
  afterAll(() => stack?.close());

  test('cancel a paid reservation, then refund its child payment: refused, the child shows the refund, one refund in the ledger', async () => {
    const booked = await callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'turnstay',
        amountMinor: 40_000,
        currency: 'GBP',
        reference: `stay-${randomUUID().slice(0, 12)}`,
        card: testCard(TEST_CARDS.frictionless),
        payer: { email: 'guest@example.com' },
        stay: { checkinAt: inSeconds(60, DAY_MS), checkoutAt: inSeconds(60, 2 * DAY_MS) },
        policy: { kind: 'charge_now' },
      },
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
});
