import { randomUUID } from 'node:crypto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, paymentBody, waitForPayment, type PaymentBody } from '../support/merchant-client';
import { ledger, setFaults } from '../support/sandbox-client';

/**
 * Issue 13 §1: refunds are exactly-once. Each has an id and a state; the merchant's Idempotency-Key makes a retry
 * return the same refund; an answer lost at the provider is resolved, never reported as refused.
 */
const PROVIDERS = ['turnstay', 'trustist'] as const;

interface RefundBody {
  id: string;
  paymentId: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  amountMinor: number;
  currency: string;
  reason: string;
}

type PaymentWithRefunds = PaymentBody & { refunds: RefundBody[] };

describe.each(PROVIDERS)('%s refunds', (provider) => {
  let stack: ApiStack;
  const sandboxUrl = () => (provider === 'turnstay' ? stack.turnstay.apiUrl : stack.trustist.apiUrl);
  /** The provider route a refund of this payment calls, so faults hit refunds only. */
  const refundPath = (payment: PaymentBody) =>
    provider === 'turnstay' ? '/api/v1/refund' : `/v1/payments/${payment.providerPaymentId}/refunds`;
  const refund = (paymentId: string, body: Record<string, unknown>, idempotencyKey?: string) =>
    callApi<RefundBody & { error?: { code: string } }>(stack.baseUrl, 'POST', `/v1/payments/${paymentId}/refund`, {
      body,
      headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {},
    });
  const refundsInLedger = async (paymentId: string) =>
    (await ledger(sandboxUrl(), paymentId)).filter((entry) => entry.type === 'refund').map((entry) => entry.amountMinor);
  const paid = async () => {
    const created = await createPayment(stack.baseUrl, paymentBody(provider));
    expect(created.body.status).toBe('COMPLETE');
    return created.body;
  };

  beforeAll(async () => {
    // A refund call answers within 2 s: past that, the refund is PENDING (202) and resolved in the background.
    stack = await startApiStack({ timing: { refundAnswerWithinMs: 2_000 } });
  });
  afterAll(() => stack?.close());
  afterEach(() => setFaults(sandboxUrl(), {}));

  test('the same Idempotency-Key and body return the same refund; another body with that key is 409 idempotency_conflict; one refund', async () => {
    const payment = await paid();
    const key = `refund-${randomUUID()}`;
    const first = await refund(payment.id, { amountMinor: 2_345, reason: 'minibar not used' }, key);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ paymentId: payment.id, status: 'SUCCEEDED', amountMinor: 2_345, currency: 'GBP', reason: 'minibar not used' });
    expect(first.body.id).toMatch(/^re_/);

    const replayed = await refund(payment.id, { amountMinor: 2_345, reason: 'minibar not used' }, key);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toEqual(first.body);

    const conflicting = await refund(payment.id, { amountMinor: 1_000, reason: 'minibar not used' }, key);
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.error).toMatchObject({ code: 'idempotency_conflict', field: 'Idempotency-Key' });

    const read = await callApi<PaymentWithRefunds>(stack.baseUrl, 'GET', `/v1/payments/${payment.id}`);
    expect(read.body).toMatchObject({ status: 'COMPLETE', refundedMinor: 2_345 });
    expect(read.body.refunds).toEqual([first.body]);
    expect(await refundsInLedger(payment.id)).toEqual([2_345]);
  });

  test('every answer of the provider is lost: 202 PENDING (never refund_refused), the same key returns it, more than the rest is refused, then resolved once', async () => {
    const payment = await paid();
    // The sandbox processes the refund and loses its answer, on this and every later attempt.
    await setFaults(sandboxUrl(), { failNext: { count: 1_000, kind: 'status', status: 502, phase: 'after', pathPrefix: refundPath(payment) } });
    const key = `refund-${randomUUID()}`;
    const first = await refund(payment.id, { reason: 'stay cancelled' }, key);
    expect(first.body.error?.code).not.toBe('refund_refused');
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'PENDING', amountMinor: 12_345 });

    const retried = await refund(payment.id, { reason: 'stay cancelled' }, key);
    expect(retried.status).toBe(202);
    expect(retried.body.id).toBe(first.body.id);

    // A new key for the whole amount: the pending refund counts, so nothing is left to refund.
    const another = await refund(payment.id, { amountMinor: 12_345, reason: 'stay cancelled' }, `refund-${randomUUID()}`);
    expect(another.status).toBe(409);
    expect(another.body.error?.code).not.toBe('refund_refused');

    await setFaults(sandboxUrl(), {});
    const settled = (await waitForPayment(stack.baseUrl, payment.id, (read) => read.status === 'REFUNDED', 60_000)) as PaymentWithRefunds;
    expect(settled.refunds).toEqual([expect.objectContaining({ id: first.body.id, status: 'SUCCEEDED', amountMinor: 12_345 })]);
    expect(settled.refundedMinor).toBe(12_345);
    expect(await refundsInLedger(payment.id)).toEqual([12_345]);
    const replayed = await refund(payment.id, { reason: 'stay cancelled' }, key);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ id: first.body.id, status: 'SUCCEEDED' });
  });

  test('cancel while a refund is in flight is refused with 409 refund_in_progress; the refund then completes once', async () => {
    const payment = await paid();
    await setFaults(sandboxUrl(), { failNext: { count: 1_000, kind: 'status', status: 503, pathPrefix: refundPath(payment) } });
    const pending = await refund(payment.id, { amountMinor: 5_000 }, `refund-${randomUUID()}`);
    expect(pending.status).toBe(202);

    const cancel = await callApi(stack.baseUrl, 'POST', `/v1/payments/${payment.id}/cancel`, { body: { reason: 'guest changed their mind' } });
    expect(cancel.status).toBe(409);
    expect((cancel.body as { error: { code: string } }).error.code).toBe('refund_in_progress');

    await setFaults(sandboxUrl(), {});
    const settled = (await waitForPayment(stack.baseUrl, payment.id, (read) => (read as PaymentWithRefunds).refunds?.[0]?.status === 'SUCCEEDED', 60_000)) as PaymentWithRefunds;
    expect(settled).toMatchObject({ status: 'COMPLETE', refundedMinor: 5_000 });
    expect(await refundsInLedger(payment.id)).toEqual([5_000]);
  });

  test('a refund the provider refuses is FAILED with the reason (409 refund_refused), and frees the amount again', async () => {
    const payment = await paid();
    await setFaults(sandboxUrl(), { failNext: { count: 1, kind: 'status', status: provider === 'turnstay' ? 422 : 400, pathPrefix: refundPath(payment) } });
    const refused = await refund(payment.id, { amountMinor: 1_000 }, `refund-${randomUUID()}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error?.code).toBe('refund_refused');
    const whole = await refund(payment.id, {}, `refund-${randomUUID()}`);
    expect(whole.body).toMatchObject({ status: 'SUCCEEDED', amountMinor: 12_345 });
    expect(await refundsInLedger(payment.id)).toEqual([12_345]);
  });
});
