import { randomUUID } from 'node:crypto';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { LostStartAnswer } from '../support/lost-start-answer';
import { callApi, paymentBody, waitForPayment, type PaymentBody } from '../support/merchant-client';
import { charges, setFaults } from '../support/sandbox-client';

const SUBMISSION_PATH = { turnstay: '/api/v1/public/payment/intent', trustist: '/v1/payments/server-to-server' } as const;

/**
 * Issue 13, section 2. The API's update-with-start reaches Temporal and starts the payment, but its answer is lost
 * (a timeout, a dropped connection): the merchant gets a 503, and the API drops the card it held. The merchant
 * retries the same request with the same Idempotency-Key; that retry must get the payment done, charged once.
 */
describe('a transient error between start and first outcome', () => {
  let stack: ApiStack;
  const lostStartAnswer = new LostStartAnswer();

  beforeAll(async () => {
    stack = await startApiStack({
      apiClientInterceptors: [lostStartAnswer.interceptor],
      timing: { statusPollDelaysMs: [30_000], lostAnswerGraceMs: 5_000, cardHandoverWindowMs: 5_000 },
    });
    lostStartAnswer.observer = stack.client;
  });
  afterAll(() => stack?.close());

  test.each(['turnstay', 'trustist'] as const)('%s: the retry with the same Idempotency-Key hands its card over; COMPLETE, one charge', async (provider) => {
    const sandbox = stack[provider].apiUrl;
    // The card submission that might have raced the card's removal fails before the provider sees it.
    await setFaults(sandbox, { failNext: { count: 1, kind: 'status', status: 503, phase: 'before', pathPrefix: SUBMISSION_PATH[provider] } });
    const body = paymentBody(provider);
    const headers = { 'idempotency-key': `retry-${randomUUID()}` };
    const id = `payment-merchant1-${body.reference}`;
    lostStartAnswer.loseNextAnswerFor(id);

    const first = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    expect(first.status).toBe(503);
    expect(first.body.error.code).toBe('temporarily_unavailable');

    const retry = await callApi<PaymentBody>(stack.baseUrl, 'POST', '/v1/payments', { body, headers });
    await setFaults(sandbox, {});
    expect({ status: retry.status, id: retry.body.id, payment: retry.body.status, failure: retry.body.failure }).toEqual({
      status: 200,
      id,
      payment: 'COMPLETE',
      failure: undefined,
    });
    expect(await charges(sandbox, id)).toHaveLength(1);
    const workflows = await stack.client.workflow.count(`WorkflowId = "${id}"`);
    expect(workflows.count).toBe(1);
  });

  test('a repeated request with another body is a 409 and hands nothing over: the payment fails card_data_unavailable, uncharged', async () => {
    const sandbox = stack.turnstay.apiUrl;
    await setFaults(sandbox, { failNext: { count: 1, kind: 'status', status: 503, phase: 'before', pathPrefix: SUBMISSION_PATH.turnstay } });
    const body = paymentBody('turnstay');
    const headers = { 'idempotency-key': `retry-${randomUUID()}` };
    const id = `payment-merchant1-${body.reference}`;
    lostStartAnswer.loseNextAnswerFor(id);
    expect((await callApi(stack.baseUrl, 'POST', '/v1/payments', { body, headers })).status).toBe(503);

    const other = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', { body: { ...body, amountMinor: 99 }, headers });
    await setFaults(sandbox, {});
    expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 409, code: 'idempotency_conflict' });
    const failed = await waitForPayment(stack.baseUrl, id, (payment) => payment.status !== 'SUBMITTED' && payment.status !== 'CREATED');
    expect({ status: failed.status, code: failed.failure?.code }).toEqual({ status: 'FAILED', code: 'card_data_unavailable' });
    expect(await charges(sandbox, id)).toHaveLength(0);
  });
});
