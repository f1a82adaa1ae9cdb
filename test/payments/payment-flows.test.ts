import { startApiStack, TRUSTIST_WEBHOOK_PATH_SECRET, type ApiStack } from '../support/api-stack';
import { createPayment, getPayment, paymentBody, waitForPayment, callApi, type PaymentBody } from '../support/merchant-client';
import { charges, completeChallenge, ledger, setFaults, setWebhookMode } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { pause } from '../support/wait-until';

/**
 * Every payment path of issue 4, for both providers, through the merchant API on the real dev server and the
 * sandboxes. Each ends in the right state with exactly one ledger charge or none.
 */
const PROVIDERS = ['turnstay', 'trustist'] as const;

describe.each(PROVIDERS)('%s payments', (provider) => {
  let stack: ApiStack;
  const sandboxUrl = () => (provider === 'turnstay' ? stack.turnstay.apiUrl : stack.trustist.apiUrl);
  // Ledger references are our payment ids (TurnStay merchant_reference, Trustist reference).
  const chargesOf = (payment: PaymentBody) => charges(sandboxUrl(), payment.id);

  beforeAll(async () => {
    // Polls are slow here so that a webhook or a merchant signal, not a poll, is what finishes a challenge.
    // A lost Trustist answer waits 5 s (not 2 minutes) for a webhook naming the payment.
    stack = await startApiStack({ timing: { challengeTimeoutMs: 60_000, statusPollDelaysMs: [30_000], lostAnswerGraceMs: 5_000 } });
  });
  afterAll(() => stack?.close());
  afterEach(async () => {
    await setFaults(sandboxUrl(), {});
    await setWebhookMode(sandboxUrl(), 'deliver');
  });

  test('frictionless card: COMPLETE in the first response, one charge', async () => {
    const response = await createPayment(stack.baseUrl, paymentBody(provider));
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe(`/v1/payments/${response.body.id}`);
    expect(response.body).toMatchObject({ status: 'COMPLETE', card: { brand: 'visa', last4: '4242' }, amountMinor: 12_345 });
    expect(await chargesOf(response.body)).toEqual([expect.objectContaining({ amountMinor: 12_345, currency: 'GBP' })]);
  });

  test('challenge approved, webhook wakes the workflow: PENDING_ACTION first, then COMPLETE, one charge', async () => {
    const response = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(TEST_CARDS.challenge) }));
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('PENDING_ACTION');
    expect(response.body.nextAction).toEqual({ type: 'redirect', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/.*challenge/) });
    expect(await chargesOf(response.body)).toHaveLength(0);
    await completeChallenge(response.body.nextAction!.url, 'authenticate');
    const finished = await waitForPayment(stack.baseUrl, response.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000);
    expect(finished.status).toBe('COMPLETE');
    expect(finished.transitions.at(-1)?.note).toMatch(/after a webhook or merchant signal/);
    expect(await chargesOf(response.body)).toHaveLength(1);
  });

  test('challenge approved, webhooks lost, the merchant front end signals: COMPLETE, one charge', async () => {
    await setWebhookMode(sandboxUrl(), 'drop');
    const response = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(TEST_CARDS.challenge) }));
    await completeChallenge(response.body.nextAction!.url, 'authenticate');
    const signalled = await callApi(stack.baseUrl, 'POST', `/v1/payments/${response.body.id}/challenge-complete`, { body: { outcome: 'authenticated' } });
    expect(signalled.status).toBe(202);
    const finished = await waitForPayment(stack.baseUrl, response.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000);
    expect(finished.status).toBe('COMPLETE');
    expect(await chargesOf(response.body)).toHaveLength(1);
  });

  test('challenge failed: FAILED with the reason, no charge', async () => {
    const response = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(TEST_CARDS.challenge) }));
    await completeChallenge(response.body.nextAction!.url, 'fail');
    const finished = await waitForPayment(stack.baseUrl, response.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000);
    expect(finished.status).toBe('FAILED');
    expect(finished.failure?.code).toMatch(/authentication_failed/);
    expect(await chargesOf(response.body)).toHaveLength(0);
  });

  test.each([
    ['declined', TEST_CARDS.declined, /declined/],
    ['insufficient funds', TEST_CARDS.insufficientFunds, /insufficient_funds/],
    ['expired at the issuer', TEST_CARDS.expiredCard, /expired_card/],
  ])('%s card: DECLINED in the first response with the reason, no charge', async (_name, card, code) => {
    const response = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(card) }));
    expect(response.status).toBe(201);
    expect(response.body.status).toBe('DECLINED');
    expect(response.body.failure?.code).toMatch(code);
    expect(await chargesOf(response.body)).toHaveLength(0);
  });

  test('provider answers 503 twice, then succeeds: COMPLETE, one charge', async () => {
    await setFaults(sandboxUrl(), { failNext: { count: 2, kind: 'status', status: 503 } });
    const response = await createPayment(stack.baseUrl, paymentBody(provider));
    expect(response.body.status).toBe('COMPLETE');
    expect(await chargesOf(response.body)).toHaveLength(1);
  });

  test('the charge happens but its response is lost (500 after processing): the retry finds it, one charge', async () => {
    const pathPrefix = provider === 'turnstay' ? '/api/v1/public/payment/intent' : '/v1/payments/server-to-server';
    const target = provider === 'turnstay' ? stack.turnstay.scsUrl : stack.trustist.apiUrl;
    await setFaults(target, { failNext: { count: 1, kind: 'status', status: 500, phase: 'after', pathPrefix } });
    const response = await createPayment(stack.baseUrl, paymentBody(provider));
    expect(response.body.status).toBe('COMPLETE');
    expect(await chargesOf(response.body)).toHaveLength(1);
  });

  test(
    provider === 'turnstay'
      ? 'a malformed provider response to the card submission: the status endpoint shows no charge, FAILED with a clear reason'
      : 'a malformed provider response to the card submission: no payment named, the card sent again (idempotent on reference) makes the only charge',
    async () => {
      const target = provider === 'turnstay' ? stack.turnstay.scsUrl : stack.trustist.apiUrl;
      const pathPrefix = provider === 'turnstay' ? '/api/v1/public/payment/intent' : '/v1/payments/server-to-server';
      await setFaults(target, { failNext: { count: 1, kind: 'malformed', pathPrefix } });
      const response = await createPayment(stack.baseUrl, paymentBody(provider));
      expect(response.status).toBe(201);
      if (provider === 'turnstay') {
        expect(response.body.status).toBe('FAILED');
        expect(response.body.failure).toEqual({ code: 'malformed_provider_response', message: expect.stringMatching(/unexpected body.*status 200/) });
        expect(await chargesOf(response.body)).toHaveLength(0);
      } else {
        const finished = await waitForPayment(stack.baseUrl, response.body.id, (payment) => !['CREATED', 'SUBMITTED'].includes(payment.status), 30_000);
        expect(finished.status).toBe('COMPLETE');
        expect(await chargesOf(finished)).toHaveLength(1);
      }
    },
    60_000,
  );

  test('a malformed response after the charge happened: the status endpoint reveals the charge, COMPLETE, one charge', async () => {
    // Trustist names its payment only in that answer; its webhook names it too, and the status endpoint confirms.
    const target = provider === 'turnstay' ? stack.turnstay.scsUrl : stack.trustist.apiUrl;
    const pathPrefix = provider === 'turnstay' ? '/api/v1/public/payment/intent' : '/v1/payments/server-to-server';
    await setFaults(target, { failNext: { count: 1, kind: 'malformed', phase: 'after', pathPrefix } });
    const response = await createPayment(stack.baseUrl, paymentBody(provider));
    expect(response.body.status).toBe('COMPLETE');
    expect(response.body.transitions.at(-1)?.note).toMatch(/after a failed submission/);
    expect(response.body.providerPaymentId).toEqual(expect.any(String));
    expect(await chargesOf(response.body)).toHaveLength(1);
  });

  if (provider === 'trustist') {
    test('every attempt of the card submission loses its answer after the charge: the webhook names the payment, COMPLETE, one charge, refundable', async () => {
      await setFaults(stack.trustist.apiUrl, { failNext: { count: 5, kind: 'status', status: 502, phase: 'after', pathPrefix: '/v1/payments/server-to-server' } });
      const body = paymentBody(provider);
      const created = await createPayment(stack.baseUrl, body);
      const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => !['CREATED', 'SUBMITTED'].includes(payment.status), 60_000);
      expect(finished.status).toBe('COMPLETE');
      expect(await chargesOf(finished)).toHaveLength(1);
      const refunded = await callApi<{ status: string }>(stack.baseUrl, 'POST', `/v1/payments/${finished.id}/refund`, { body: { reason: 'guest cancelled' } });
      expect(refunded.body.status).toBe('SUCCEEDED');
      expect((await getPayment(stack.baseUrl, finished.id)).body.status).toBe('REFUNDED');
    }, 90_000);

    test("a lost answer, a forged webhook naming another payment's id first, then the genuine one: COMPLETE, one charge", async () => {
      const other = await createPayment(stack.baseUrl, paymentBody(provider));
      expect(other.body.status).toBe('COMPLETE');
      // Every answer to the card submission is lost after the charge; the genuine webhook comes 3 s late.
      await setWebhookMode(stack.trustist.apiUrl, 'delay', 3_000);
      await setFaults(stack.trustist.apiUrl, { failNext: { count: 5, kind: 'status', status: 502, phase: 'after', pathPrefix: '/v1/payments/server-to-server' } });
      const body = paymentBody(provider);
      const creating = createPayment(stack.baseUrl, body);
      await pause(500);
      const forged = { paymentId: other.body.providerPaymentId, reference: `payment-merchant1-${body.reference}`, status: 'COMPLETE', eventType: 'payment.completed' };
      const delivered = await callApi<{ outcome: string }>(stack.baseUrl, 'POST', `/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`, { body: forged, key: null });
      expect(delivered.body.outcome).toBe('signalled');
      const created = await creating;
      const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => !['CREATED', 'SUBMITTED'].includes(payment.status), 60_000);
      expect(finished.status).toBe('COMPLETE');
      expect(finished.providerPaymentId).not.toBe(other.body.providerPaymentId);
      expect(finished.transitions.map((transition) => transition.note ?? '').join(' ')).toMatch(/status check failed/);
      expect(await chargesOf(finished)).toHaveLength(1);
      expect(await chargesOf(other.body)).toHaveLength(1);
    }, 90_000);

    test('every answer lost after the charge and the webhook dropped: the card is sent again (idempotent on reference), COMPLETE, one charge', async () => {
      await setWebhookMode(stack.trustist.apiUrl, 'drop');
      await setFaults(stack.trustist.apiUrl, { failNext: { count: 5, kind: 'status', status: 502, phase: 'after', pathPrefix: '/v1/payments/server-to-server' } });
      try {
        const created = await createPayment(stack.baseUrl, paymentBody(provider));
        const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => !['CREATED', 'SUBMITTED'].includes(payment.status), 60_000);
        expect(`${finished.status} ${finished.failure?.code ?? ''}`.trim()).toBe('COMPLETE');
        expect(await chargesOf(finished)).toHaveLength(1);
      } finally {
        await setWebhookMode(stack.trustist.apiUrl, 'deliver');
      }
    }, 90_000);

    test("a garbled answer and a webhook naming another payment's id: the status check refuses it, the card sent again makes the only charge", async () => {
      const other = await createPayment(stack.baseUrl, paymentBody(provider));
      expect(other.body.status).toBe('COMPLETE');
      const body = paymentBody(provider);
      // The provider never sees the card (garbled answer before processing), so only the forged webhook names an id.
      await setFaults(stack.trustist.apiUrl, { failNext: { count: 1, kind: 'malformed', pathPrefix: '/v1/payments/server-to-server' } });
      const creating = createPayment(stack.baseUrl, body);
      const forged = { paymentId: other.body.providerPaymentId, reference: `payment-merchant1-${body.reference}`, status: 'COMPLETE', eventType: 'payment.completed' };
      await pause(1_000);
      const delivered = await callApi<{ outcome: string }>(stack.baseUrl, 'POST', `/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`, { body: forged, key: null });
      expect(delivered.body.outcome).toBe('signalled');
      const created = await creating;
      const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => !['CREATED', 'SUBMITTED'].includes(payment.status), 30_000);
      expect(finished.status).toBe('COMPLETE');
      expect(finished.providerPaymentId).not.toBe(other.body.providerPaymentId);
      expect(finished.transitions.map((transition) => transition.note ?? '').join(' ')).toMatch(/card sent again after a lost answer; the provider answered/);
      expect(await chargesOf(finished)).toHaveLength(1);
      expect(await chargesOf(other.body)).toHaveLength(1);
    }, 60_000);
  }

  test('the same request twice returns the same payment and charges once', async () => {
    const body = paymentBody(provider);
    const [first, second] = await Promise.all([createPayment(stack.baseUrl, body), createPayment(stack.baseUrl, body)]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect(second.body.id).toBe(first.body.id);
    const third = await createPayment(stack.baseUrl, body);
    expect(third.status).toBe(200);
    expect(third.body.status).toBe('COMPLETE');
    expect(await chargesOf(first.body)).toHaveLength(1);
  });

  test('refund of a COMPLETE payment: partial then the rest, REFUNDED, ledger shows both refunds', async () => {
    const created = await createPayment(stack.baseUrl, paymentBody(provider));
    const partial = await callApi(stack.baseUrl, 'POST', `/v1/payments/${created.body.id}/refund`, { body: { amountMinor: 2_345, reason: 'minibar not used' } });
    expect(partial.status).toBe(200);
    expect(partial.body).toMatchObject({ status: 'SUCCEEDED', amountMinor: 2_345 });
    expect((await getPayment(stack.baseUrl, created.body.id)).body).toMatchObject({ status: 'COMPLETE', refundedMinor: 2_345 });
    const tooMuch = await callApi(stack.baseUrl, 'POST', `/v1/payments/${created.body.id}/refund`, { body: { amountMinor: 50_000 } });
    expect(tooMuch.status).toBe(409);
    const rest = await callApi(stack.baseUrl, 'POST', `/v1/payments/${created.body.id}/refund`, { body: {} });
    expect(rest.body).toMatchObject({ status: 'SUCCEEDED', amountMinor: 10_000 });
    expect((await getPayment(stack.baseUrl, created.body.id)).body).toMatchObject({ status: 'REFUNDED', refundedMinor: 12_345 });
    const entries = await ledger(sandboxUrl(), created.body.id);
    expect(entries.filter((entry) => entry.type === 'charge')).toHaveLength(1);
    expect(entries.filter((entry) => entry.type === 'refund').map((entry) => entry.amountMinor)).toEqual([2_345, 10_000]);
  });

  test('cancel before the challenge completes: CANCELLED, nothing charged, the challenge can no longer charge', async () => {
    const created = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(TEST_CARDS.challenge) }));
    const cancelled = await callApi<PaymentBody>(stack.baseUrl, 'POST', `/v1/payments/${created.body.id}/cancel`, { body: { reason: 'guest changed plans' } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('CANCELLED');
    await completeChallenge(created.body.nextAction!.url, 'authenticate').catch(() => undefined);
    expect(await chargesOf(created.body)).toHaveLength(0);
    expect((await getPayment(stack.baseUrl, created.body.id)).body.status).toBe('CANCELLED');
  });

  test('cancel after the charge refunds it: REFUNDED', async () => {
    const created = await createPayment(stack.baseUrl, paymentBody(provider));
    const cancelled = await callApi<PaymentBody>(stack.baseUrl, 'POST', `/v1/payments/${created.body.id}/cancel`, { body: {} });
    expect(cancelled.body.status).toBe('REFUNDED');
    expect(cancelled.body.refundedMinor).toBe(12_345);
  });
});

describe.each(PROVIDERS)('%s payments with fast polling', (provider) => {
  let stack: ApiStack;
  const sandboxUrl = () => (provider === 'turnstay' ? stack.turnstay.apiUrl : stack.trustist.apiUrl);

  beforeAll(async () => {
    stack = await startApiStack({ timing: { challengeTimeoutMs: 4_000, statusPollDelaysMs: [500, 1_000] } });
  });
  afterAll(() => stack?.close());

  test('webhook lost and no merchant signal: a status poll finishes it, one charge', async () => {
    await setWebhookMode(sandboxUrl(), 'drop');
    const created = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(TEST_CARDS.challenge) }));
    await completeChallenge(created.body.nextAction!.url, 'authenticate');
    const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => payment.status !== 'PENDING_ACTION', 10_000);
    expect(finished.status).toBe('COMPLETE');
    expect(finished.transitions.at(-1)?.note).toMatch(/by polling/);
    expect(await charges(sandboxUrl(), created.body.id)).toHaveLength(1);
  });

  test('challenge abandoned: EXPIRED after the timeout, cancelled at the provider, nothing charged', async () => {
    const created = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(TEST_CARDS.challenge) }));
    const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000);
    expect(finished.status).toBe('EXPIRED');
    expect(finished.failure?.code).toBe('challenge_expired');
    // A shopper finishing the challenge after expiry cannot charge the card any more.
    await completeChallenge(created.body.nextAction!.url, 'authenticate').catch(() => undefined);
    expect(await charges(sandboxUrl(), created.body.id)).toHaveLength(0);
  });
});
