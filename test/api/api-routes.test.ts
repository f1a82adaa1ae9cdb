import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { signTurnstayPayload } from '../../activities/turnstay/webhook-signature';
import { unmatchedWebhooksQuery, webhookInboxWorkflow, webhookInboxWorkflowId } from '../../workflows/webhook-inbox';
import { OPERATOR_KEY, OTHER_MERCHANT_KEY, startApiStack, TRUSTIST_WEBHOOK_PATH_SECRET, TURNSTAY_WEBHOOK_SECRET, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, paymentBody, waitForPayment, type PaymentBody } from '../support/merchant-client';
import { acceptedProviderEvents, waitForProviderEventHandled } from '../support/provider-event-history';
import { charges, completeChallenge, setWebhookMode } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { pause } from '../support/wait-until';

describe('merchant API', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ timing: { challengeTimeoutMs: 60_000, statusPollDelaysMs: [30_000] } });
  });
  afterAll(() => stack?.close());

  describe('validation: a 400 naming the field, and no payment started', () => {
    const rejectedIds: string[] = [];
    afterAll(async () => {
      // Looked up by workflow ID (deterministic from merchant and reference), not through eventually consistent visibility.
      const started = await Promise.all(
        rejectedIds.map((id) => stack.client.workflow.getHandle(id).describe().then(() => id, (error: unknown) => (error instanceof WorkflowNotFoundError ? undefined : id))),
      );
      expect(rejectedIds.length).toBeGreaterThan(10);
      expect(started.filter(Boolean)).toEqual([]);
    });
    const cases: [string, Record<string, unknown>, string][] = [
      ['unknown provider', { provider: 'paypal' }, 'provider'],
      ['amount not an integer', { amountMinor: 10.5 }, 'amountMinor'],
      ['amount not positive', { amountMinor: 0 }, 'amountMinor'],
      ['currency not ISO', { currency: 'pounds' }, 'currency'],
      ['reference with spaces', { reference: 'order 1' }, 'reference'],
      ['card number not digits', { card: { ...testCard(TEST_CARDS.frictionless), number: '4242-4242' } }, 'card.number'],
      ['card number fails Luhn', { card: testCard('4242424242424241') }, 'card.number'],
      ['expiry month 13', { card: { ...testCard(TEST_CARDS.frictionless), expiryMonth: 13 } }, 'card.expiryMonth'],
      ['card expired', { card: { ...testCard(TEST_CARDS.frictionless), expiryYear: 2020 } }, 'card.expiryYear'],
      ['cvc letters', { card: { ...testCard(TEST_CARDS.frictionless), cvc: '12a' } }, 'card.cvc'],
      ['payer email', { payer: { email: 'not-an-email' } }, 'payer.email'],
      ['payer phone', { payer: { phone: '0123' } }, 'payer.phone'],
      ['unknown field', { surprise: true }, 'surprise'],
      ['checkout before checkin', { stay: { checkinDate: '2027-05-10', checkoutDate: '2027-05-01' } }, 'stay.checkoutDate'],
      ['Trustist without browser data', { provider: 'trustist', browserData: undefined }, 'browserData'],
      ['Trustist in euros', { provider: 'trustist', currency: 'EUR' }, 'currency'],
      ['TurnStay in a currency the account does not settle', { currency: 'USD' }, 'currency'],
    ];
    test.each(cases)('%s', async (_name, overrides, field) => {
      const body = paymentBody('turnstay', overrides);
      rejectedIds.push(`payment-merchant1-${String(body.reference)}`);
      const response = await callApi<{ error: { code: string; field: string; message: string } }>(stack.baseUrl, 'POST', '/v1/payments', { body });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.field === field || response.body.error.message.includes(field)).toBe(true);
    });

    test('malformed JSON is a 400, an oversized body a 413, an unknown route a 404, all JSON', async () => {
      const malformed = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', { rawBody: '{"provider": ' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('invalid_json');
      const oversized = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', { rawBody: JSON.stringify({ description: 'x'.repeat(100_000) }) });
      expect(oversized.status).toBe(413);
      const unknown = await callApi<{ error: { code: string } }>(stack.baseUrl, 'GET', '/v1/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('route_not_found');
    });
  });

  describe('authentication and isolation between merchants', () => {
    test('no key or a wrong key is a 401', async () => {
      expect((await callApi(stack.baseUrl, 'GET', '/v1/payments', { key: null })).status).toBe(401);
      expect((await callApi(stack.baseUrl, 'GET', '/v1/payments', { key: 'mk_wrong' })).status).toBe(401);
    });

    test("another merchant's payment is a 404 for every route, and stays untouched", async () => {
      const created = await createPayment(stack.baseUrl, paymentBody('turnstay'));
      const id = created.body.id;
      for (const [method, path, body] of [
        ['GET', `/v1/payments/${id}`, undefined],
        ['POST', `/v1/payments/${id}/cancel`, {}],
        ['POST', `/v1/payments/${id}/refund`, {}],
        ['POST', `/v1/payments/${id}/challenge-complete`, {}],
      ] as const) {
        const response = await callApi(stack.baseUrl, method, path, { key: OTHER_MERCHANT_KEY, body });
        expect(response.status).toBe(404);
      }
      const listed = await callApi<{ payments: { id: string }[] }>(stack.baseUrl, 'GET', `/v1/payments?reference=${created.body.reference}`, { key: OTHER_MERCHANT_KEY });
      expect(listed.body.payments).toEqual([]);
      expect((await callApi<PaymentBody>(stack.baseUrl, 'GET', `/v1/payments/${id}`)).body.status).toBe('COMPLETE');
    });
  });

  describe('idempotency', () => {
    test('same Idempotency-Key and body: the same payment; a different body: 409; one charge', async () => {
      const key = randomUUID();
      const body = paymentBody('trustist');
      const first = await createPayment(stack.baseUrl, body, { 'idempotency-key': key });
      const replay = await createPayment(stack.baseUrl, body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(first.body);
      const conflict = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', {
        body: { ...body, amountMinor: 99 },
        headers: { 'idempotency-key': key },
      });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.code).toBe('idempotency_conflict');
      expect(await charges(stack.trustist.apiUrl, first.body.id)).toHaveLength(1);
    });

    test('a new request reusing a reference with a different body is a 409 reference_conflict', async () => {
      const body = paymentBody('turnstay');
      await createPayment(stack.baseUrl, body);
      const conflict = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/v1/payments', { body: { ...body, amountMinor: 1 } });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.code).toBe('reference_conflict');
    });
  });

  test('listing by status finds exactly the waiting payments of this merchant', async () => {
    const waiting = await createPayment(stack.baseUrl, paymentBody('turnstay', { card: testCard(TEST_CARDS.challenge) }));
    const done = await createPayment(stack.baseUrl, paymentBody('turnstay'));
    expect(waiting.body.status).toBe('PENDING_ACTION');
    let ids: string[] = [];
    for (let attempt = 0; attempt < 50 && !ids.includes(waiting.body.id); attempt += 1) {
      const listed = await callApi<{ payments: { id: string; status: string }[] }>(stack.baseUrl, 'GET', '/v1/payments?status=PENDING_ACTION&limit=100');
      expect(listed.status).toBe(200);
      expect(listed.body.payments.every((payment) => payment.status === 'PENDING_ACTION')).toBe(true);
      ids = listed.body.payments.map((payment) => payment.id);
      await pause(100);
    }
    expect(ids).toContain(waiting.body.id);
    expect(ids).not.toContain(done.body.id);
    const bad = await callApi(stack.baseUrl, 'GET', '/v1/payments?status=SLEEPING');
    expect(bad.status).toBe(400);
  });

  test('acting on a finished payment is a 409 saying it is closed, not a 404', async () => {
    const declined = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.declined) }));
    expect(declined.body.status).toBe('DECLINED');
    await stack.client.workflow.getHandle(declined.body.id).result();
    for (const [action, body] of [['cancel', {}], ['refund', {}], ['challenge-complete', { outcome: 'authenticated' }]] as const) {
      const response = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', `/v1/payments/${declined.body.id}/${action}`, { body });
      expect({ action, status: response.status, code: response.body.error.code }).toEqual({ action, status: 409, code: 'payment_closed' });
    }
    expect((await callApi<PaymentBody>(stack.baseUrl, 'GET', `/v1/payments/${declined.body.id}`)).body.status).toBe('DECLINED');
  });

  describe('webhooks', () => {
    const turnstayEvent = (reference: string, status = 'processed', id = `evt_${randomUUID()}`) =>
      JSON.stringify({
        id,
        object: 'event',
        type: 'merchant_of_record.payment_intent.succeeded',
        created_at: new Date().toISOString(),
        api_version: '2024-01-01',
        data: { object: { id: 'pi_x', object: 'payment_intent', status, merchant_reference: reference }, previous_attributes: {} },
      });
    const postTurnstay = (raw: string, signature?: string) =>
      callApi<{ received?: boolean; outcome?: string; error?: { code: string } }>(stack.baseUrl, 'POST', '/webhooks/turnstay', {
        rawBody: raw,
        key: null,
        headers: signature === undefined ? {} : { 'turnstay-signature': signature },
      });

    test('forged, stale, unsigned and malformed TurnStay webhooks are refused', async () => {
      const raw = turnstayEvent('payment-merchant1-x');
      expect((await postTurnstay(raw)).status).toBe(401);
      expect((await postTurnstay(raw, signTurnstayPayload(raw, 'whsec_forged'))).status).toBe(401);
      const stale = await postTurnstay(raw, signTurnstayPayload(raw, TURNSTAY_WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3_600));
      expect(stale.status).toBe(401);
      expect(stale.body.error?.code).toBe('signature_stale');
      const tampered = await postTurnstay(raw.replace('processed', 'failed'), signTurnstayPayload(raw, TURNSTAY_WEBHOOK_SECRET));
      expect(tampered.status).toBe(401);
      const garbage = '{"not": "an event"}';
      expect((await postTurnstay(garbage, signTurnstayPayload(garbage, TURNSTAY_WEBHOOK_SECRET))).status).toBe(400);
    });

    test('a webhook for an unknown reference is acknowledged and kept in the inbox; duplicates are dropped', async () => {
      // Another deployment on the same namespace whose workers are gone keeps its own inbox; ours must not stall on it.
      const retiredQueue = `${stack.taskQueue}-retired`;
      const retiredInbox = await stack.client.workflow.start(webhookInboxWorkflow, {
        workflowId: webhookInboxWorkflowId('turnstay', retiredQueue),
        taskQueue: retiredQueue,
        args: [[]],
      });
      const eventId = `evt_${randomUUID()}`;
      const raw = turnstayEvent('payment-merchant1-never-existed', 'processed', eventId);
      const first = await postTurnstay(raw, signTurnstayPayload(raw, TURNSTAY_WEBHOOK_SECRET));
      expect(first.status).toBe(200);
      expect(first.body.outcome).toBe('unmatched');
      const again = await postTurnstay(raw, signTurnstayPayload(raw, TURNSTAY_WEBHOOK_SECRET));
      expect(again.status).toBe(200);
      expect(again.body.outcome).toBe('duplicate');
      const inbox = await stack.client.workflow.getHandle(webhookInboxWorkflowId('turnstay', stack.taskQueue)).query(unmatchedWebhooksQuery);
      expect(inbox.filter((event) => event.eventId === eventId)).toHaveLength(1);
      await retiredInbox.terminate('test over');
    });

    test('a webhook for a payment whose workers are all down answers 503 in time, so the provider delivers it again', async () => {
      const id = `payment-merchant1-no-worker-${randomUUID().slice(0, 8)}`;
      const unserved = await stack.client.workflow.start('paymentWorkflow', { workflowId: id, taskQueue: `${stack.taskQueue}-no-worker`, args: [{}] });
      try {
        const started = Date.now();
        const body = { paymentId: 'pay-1', reference: id, status: 'COMPLETE', eventType: 'payment.completed' };
        const response = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', `/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`, { body, key: null });
        expect({ status: response.status, code: response.body.error?.code }).toEqual({ status: 503, code: 'temporarily_unavailable' });
        expect(Date.now() - started).toBeLessThan(20_000);
      } finally {
        await unserved.terminate('test over');
      }
    }, 60_000);

    test('Trustist webhooks need the secret URL', async () => {
      const body = { paymentId: 'x', reference: 'payment-merchant1-y', status: 'COMPLETE', eventType: 'payment.completed' };
      expect((await callApi(stack.baseUrl, 'POST', '/webhooks/trustist/wrong-secret-wrong-secret-00', { body, key: null })).status).toBe(401);
      const accepted = await callApi<{ outcome: string }>(stack.baseUrl, 'POST', `/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`, { body, key: null });
      expect(accepted.status).toBe(200);
      expect(accepted.body.outcome).toBe('unmatched');
    });

    test.each(['duplicate', 'reorder'] as const)('%s webhook deliveries from the sandbox still end COMPLETE with one charge', async (mode) => {
      await setWebhookMode(stack.turnstay.apiUrl, mode);
      try {
        const created = await createPayment(stack.baseUrl, paymentBody('turnstay', { card: testCard(TEST_CARDS.challenge) }));
        await completeChallenge(created.body.nextAction!.url, 'authenticate');
        if (mode === 'reorder') await setWebhookMode(stack.turnstay.apiUrl, 'deliver'); // releases the held events in reverse
        const finished = await waitForPayment(stack.baseUrl, created.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000);
        expect(finished.status).toBe('COMPLETE');
        expect(await charges(stack.turnstay.apiUrl, created.body.id)).toHaveLength(1);
      } finally {
        await setWebhookMode(stack.turnstay.apiUrl, 'deliver');
      }
    });

    test('a forged "failed" event changes nothing: a completed payment refuses it, a waiting one asks the provider and stays waiting', async () => {
      const forgedFailure = (reference: string) =>
        callApi<{ outcome: string }>(stack.baseUrl, 'POST', `/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`, {
          body: { paymentId: `forged-${randomUUID()}`, reference, status: 'FAILED', eventType: 'payment.failed' },
          key: null,
        });
      // A completed payment waits for no provider event: its validator refuses it, leaving no trace in history.
      const completed = await createPayment(stack.baseUrl, paymentBody('trustist'));
      expect(completed.body.status).toBe('COMPLETE');
      const acceptedBefore = await acceptedProviderEvents(stack.client, completed.body.id);
      expect((await forgedFailure(completed.body.id)).body.outcome).toBe('ignored');
      expect(await acceptedProviderEvents(stack.client, completed.body.id)).toBe(acceptedBefore);

      // A payment waiting for its challenge takes the event as a hint and asks Trustist, which still waits for the shopper.
      const waiting = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.challenge) }));
      expect(waiting.body.status).toBe('PENDING_ACTION');
      expect((await forgedFailure(waiting.body.id)).body.outcome).toBe('signalled');
      await waitForProviderEventHandled(stack.client, waiting.body.id);
      expect((await callApi<PaymentBody>(stack.baseUrl, 'GET', `/v1/payments/${waiting.body.id}`)).body.status).toBe('PENDING_ACTION');
      await completeChallenge(waiting.body.nextAction!.url, 'authenticate');
      const finished = await waitForPayment(stack.baseUrl, waiting.body.id, (payment) => payment.status !== 'PENDING_ACTION', 15_000);
      expect(finished.status).toBe('COMPLETE');
      expect(await charges(stack.trustist.apiUrl, waiting.body.id)).toHaveLength(1);
    });
  });

  describe('codec endpoint for the Web UI', () => {
    test('refuses callers without operator credentials; decodes for operators; answers CORS preflight', async () => {
      const created = await createPayment(stack.baseUrl, paymentBody('turnstay'));
      const history = await stack.client.workflow.getHandle(created.body.id).fetchHistory();
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const payload = {
        metadata: Object.fromEntries(Object.entries(input?.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
        data: Buffer.from(input?.data ?? new Uint8Array()).toString('base64'),
      };
      const anonymous = await callApi(stack.baseUrl, 'POST', '/codec/decode', { body: { payloads: [payload] }, key: null });
      expect(anonymous.status).toBe(401);
      const merchant = await callApi(stack.baseUrl, 'POST', '/codec/decode', { body: { payloads: [payload] } });
      expect(merchant.status).toBe(401);
      const operator = await callApi<{ payloads: { data: string }[] }>(stack.baseUrl, 'POST', '/codec/decode', { body: { payloads: [payload] }, key: OPERATOR_KEY });
      expect(operator.status).toBe(200);
      const decoded = Buffer.from(operator.body.payloads[0]!.data, 'base64').toString('utf8');
      expect(decoded).toContain(created.body.reference);
      expect(decoded).not.toContain(TEST_CARDS.frictionless);
      const preflight = await fetch(`${stack.baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: { origin: 'http://127.0.0.1:8233', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
    });
  });

  test('/health, /ready and /openapi.json answer', async () => {
    expect((await callApi(stack.baseUrl, 'GET', '/health', { key: null })).body).toEqual({ status: 'ok' });
    expect((await callApi(stack.baseUrl, 'GET', '/ready', { key: null })).status).toBe(200);
    const openApi = await callApi<{ openapi: string; paths: Record<string, unknown> }>(stack.baseUrl, 'GET', '/openapi.json', { key: null });
    expect(openApi.body.openapi).toBe('3.1.0');
    expect(Object.keys(openApi.body.paths)).toEqual(
      expect.arrayContaining(['/v1/payments', '/v1/payments/{id}', '/v1/payments/{id}/cancel', '/v1/payments/{id}/refund', '/v1/payments/{id}/challenge-complete']),
    );
  });
});
