import { randomUUID } from 'node:crypto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, isFinal, paymentBody, waitForPayment, type PaymentBody } from '../support/merchant-client';
import { charges, setFaults } from '../support/sandbox-client';

const ANSWER_WITHIN_MS = 1_000;
/** Each provider call takes this long: creating the payment and submitting the card take 5 s together. */
const PROVIDER_LATENCY_MS = 2_500;

/**
 * A merchant's HTTP client or load balancer gives up after some seconds; a payment whose provider is slow (or
 * retried through 5xx answers) must not hold POST /v1/payments open that long. Past the bound the API answers 202
 * with the payment so far, keeps the card until the payment has used it, and the payment finishes on its own.
 */
describe('a first outcome slower than the answer bound', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ paymentAnswerWithinMs: ANSWER_WITHIN_MS });
  });
  afterEach(() => setFaults(stack.turnstay.apiUrl, {}));
  afterAll(() => stack?.close());

  test('POST answers 202 with the unfinished payment; it completes afterwards with the card, charged once; repeats get the same payment', async () => {
    const sandbox = stack.turnstay.apiUrl;
    await setFaults(sandbox, { latencyMs: PROVIDER_LATENCY_MS });
    const body = paymentBody('turnstay');
    const headers = { 'idempotency-key': `slow-${randomUUID()}` };
    const id = `payment-merchant1-${body.reference}`;

    const askedAt = Date.now();
    const first = await callApi<PaymentBody>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    const answeredAfterMs = Date.now() - askedAt;
    expect({ status: first.status, id: first.body.id, final: isFinal(first.body), location: first.headers.get('location') }).toEqual({
      status: 202,
      id,
      final: false,
      location: `/v1/payments/${id}`,
    });
    expect(answeredAfterMs).toBeLessThan(2 * PROVIDER_LATENCY_MS);

    const repeatedWhilePending = await callApi<PaymentBody>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    expect({ status: repeatedWhilePending.status, id: repeatedWhilePending.body.id }).toEqual({ status: 202, id });
    const otherBody = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', { body: { ...body, amountMinor: body.amountMinor + 1 }, headers });
    expect({ status: otherBody.status, code: otherBody.body.error.code }).toEqual({ status: 409, code: 'idempotency_conflict' });

    // The card was still held after the answer: the payment submitted it and completed.
    const done = await waitForPayment(stack.baseUrl, id, isFinal, 30_000);
    expect({ status: done.status, card: done.card }).toEqual({ status: 'COMPLETE', card: { brand: 'visa', last4: body.card.number.slice(-4) } });
    expect(await charges(sandbox, id)).toHaveLength(1);

    const repeatedWhenDone = await callApi<PaymentBody>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    expect({ status: repeatedWhenDone.status, id: repeatedWhenDone.body.id, payment: repeatedWhenDone.body.status }).toEqual({ status: 200, id, payment: 'COMPLETE' });
  });
});

/**
 * Past the bound the API answers from a query; a payment that reached its first outcome meanwhile (the update's
 * answer still on its way) is answered as such. A 1 ms bound makes every answer come from that query.
 */
describe('an answer bound that passes before the first outcome arrives', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ paymentAnswerWithinMs: 1 });
  });
  afterAll(() => stack?.close());

  test('a payment whose first outcome the query already shows is answered 200 (found) or 201 (created), not 202', async () => {
    const body = paymentBody('turnstay');
    const headers = { 'idempotency-key': `bound-${randomUUID()}` };
    const id = `payment-merchant1-${body.reference}`;
    const first = await callApi<PaymentBody>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    // 202 when the query saw it before its outcome; 201 when the outcome (or the start) came first: never a 200 or 500.
    expect([201, 202]).toContain(first.status);
    await waitForPayment(stack.baseUrl, id, isFinal, 30_000);

    const repeated = await callApi<PaymentBody>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    expect({ status: repeated.status, payment: repeated.body.status }).toEqual({ status: 200, payment: 'COMPLETE' });
    expect(await charges(stack.turnstay.apiUrl, id)).toHaveLength(1);
  });
});
