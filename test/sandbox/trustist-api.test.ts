import { startTrustistSandbox, type RunningTrustistSandbox } from '../../sandbox';
import { admin, call, HAWK_CREDENTIALS, hawkCall, ledgerOf, PAST_YEAR, silentLogger, startReceiver, type WebhookReceiver } from './support/helpers';
import { pause } from '../support/wait-until';
import { getPayment, pay, s2sBody } from './support/trustist';

const SLOW_MS = 150;
let sandbox: RunningTrustistSandbox;
let receiver: WebhookReceiver;

beforeAll(async () => {
  sandbox = await startTrustistSandbox({ slowCardDelayMs: SLOW_MS, merchantId: 'merchant-42', webhookRetry: { baseDelayMs: 30, maxAttempts: 3 }, logger: silentLogger() });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await admin(sandbox.apiUrl, '/reset', {});
  receiver = await startReceiver();
  sandbox.setWebhookUrl(receiver.url);
});
afterEach(() => receiver.close());

const s2sUrl = () => `${sandbox.apiUrl}/v1/payments/server-to-server`;

describe('Trustist Hawk authentication', () => {
  it('accepts requests signed by @hapi/hawk with and without a payload hash', async () => {
    const withHash = await pay(sandbox, s2sBody('4242424242424242'));
    expect(withHash.status).toBe(200);
    const withoutHash = await pay(sandbox, s2sBody('4242424242424242'), { withHash: false });
    expect(withoutHash.status).toBe(200);
    const get = await getPayment(sandbox, String(withHash.body.id));
    expect(get.status).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['a timestamp 120 s old', { hawk: { timestamp: now() - 120 } }, /Stale timestamp/],
    ['a timestamp 120 s ahead', { hawk: { timestamp: now() + 120 } }, /Stale timestamp/],
    ['a bad MAC (wrong key)', { hawk: { credentials: { ...HAWK_CREDENTIALS, key: 'not-the-key-0123456789' } } }, /Bad mac/],
    ['an unknown id', { hawk: { credentials: { ...HAWK_CREDENTIALS, id: 'someone-else' } } }, /Unknown credentials/],
    ['a body changed after signing (hash present)', { tamper: (raw: string) => raw.replace('99.99', '9.99') }, /Bad payload hash/],
    ['a wrong payload hash', { hawk: { hash: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' } }, /Bad mac|Bad payload hash/],
  ])('rejects %s with 401, WWW-Authenticate: Hawk and {error}', async (_name, options, message) => {
    const body = s2sBody('4242424242424242');
    const answer = await pay(sandbox, body, options);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Hawk/);
    expect(typeof answer.body.error).toBe('string');
    expect(String(answer.body.error)).toMatch(message);
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
  });

  it('tells a client with a stale clock the server time (ts and tsm in WWW-Authenticate)', async () => {
    const answer = await pay(sandbox, s2sBody('4242424242424242'), { hawk: { timestamp: now() - 3600 } });
    expect(answer.headers.get('www-authenticate')).toMatch(/^Hawk ts="\d+", tsm="[^"]+", error="Stale timestamp"/);
  });

  it('rejects a reused nonce', async () => {
    const nonce = `nonce-${Date.now()}`;
    const first = await pay(sandbox, s2sBody('4242424242424242'), { hawk: { nonce } });
    expect(first.status).toBe(200);
    const body = s2sBody('4242424242424242');
    const replay = await pay(sandbox, body, { hawk: { nonce } });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatch(/nonce/i);
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
  });

  it('rejects a missing, non-Hawk or malformed Authorization header and a signature for another URL', async () => {
    const body = s2sBody('4242424242424242');
    for (const authorization of [undefined, 'Bearer sk_test_sandbox', 'Hawk id="sandbox-merchant"', 'Hawk garbage']) {
      const answer = await call(s2sUrl(), { body, headers: authorization ? { authorization } : {} });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Hawk/);
      expect(typeof answer.body.error).toBe('string');
    }
    const paid = await pay(sandbox, s2sBody('4242424242424242'));
    const signedForOther = await hawkCall(`${sandbox.apiUrl}/v1/payments/3PAYOTHER`, 'GET');
    expect(signedForOther.status).toBe(404);
    const header = (await import('./support/helpers')).Hawk.client.header(`${sandbox.apiUrl}/v1/payments/3PAYOTHER`, 'GET', { credentials: HAWK_CREDENTIALS }).header;
    const misused = await call(`${sandbox.apiUrl}/v1/payments/${paid.body.id}`, { headers: { authorization: header } });
    expect(misused.status).toBe(401);
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
  });
});

describe('Trustist S2S payments: the test-card matrix', () => {
  it.each(['4242424242424242', '4444333322221111'])('completes %s frictionlessly in the response', async (number) => {
    const body = s2sBody(number, { amount: 10.5 });
    const answer = await pay(sandbox, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: expect.stringMatching(/^3PAY[A-Z0-9]+$/), status: 'COMPLETE', requiredAction: null });
    const entries = await ledgerOf(sandbox.apiUrl, String(body.reference));
    expect(entries).toEqual([
      expect.objectContaining({ type: 'charge', provider: 'trustist', paymentId: answer.body.id, amountMinor: 1050, currency: 'GBP' }),
    ]);
    const status = await getPayment(sandbox, String(answer.body.id));
    expect(status.body).toEqual({
      id: answer.body.id,
      status: 'COMPLETE',
      amount: 10.5,
      currency: 'GBP',
      reference: body.reference,
      description: 'Sandbox test order',
      created: expect.stringMatching(/^\d{4}-/),
      refundedAmount: 0,
    });
  });

  it('answers the slow card after slowCardDelayMs, then completes', async () => {
    const started = Date.now();
    const answer = await pay(sandbox, s2sBody('4000000000000077'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect(answer.body.status).toBe('COMPLETE');
  });

  it.each([
    ['4000000000000002', 'DECLINED'],
    ['4000000000009995', 'INSUFFICIENT_FUNDS'],
    ['4000000000000069', 'EXPIRED_CARD'],
  ])('declines %s with 200 FAILED %s and charges nothing', async (number, reason) => {
    const body = s2sBody(number);
    const answer = await pay(sandbox, body);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ id: expect.stringMatching(/^3PAY/), status: 'FAILED', requiredAction: null, failureReason: reason });
    expect((await getPayment(sandbox, String(answer.body.id))).body).toMatchObject({ status: 'FAILED', failureReason: reason });
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
  });

  it('answers 500 {error} on every attempt for the provider-error card and charges nothing', async () => {
    const body = s2sBody('4000000000000119');
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const answer = await pay(sandbox, body);
      expect(answer.status).toBe(500);
      expect(typeof answer.body.error).toBe('string');
    }
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
  });

  it('asks for a challenge with a redirect action on the hosted page', async () => {
    const body = s2sBody('4000000000003220');
    const answer = await pay(sandbox, body);
    expect(answer.status).toBe(200);
    const id = String(answer.body.id);
    expect(answer.body).toEqual({ id, status: 'PENDING_ACTION', requiredAction: { type: 'redirect', url: `${sandbox.apiUrl}/challenge?paymentId=${id}` } });
    expect((await getPayment(sandbox, id)).body.status).toBe('PENDING_ACTION');
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
    const page = await fetch(`${sandbox.apiUrl}/challenge?paymentId=${id}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('id="authenticate"');
    expect(html).not.toContain('4000000000003220');
  });

  it('rejects American Express with the documented 400', async () => {
    const body = s2sBody('378282246310005', { cardDetails: { number: '378282246310005', expiryMonth: '12', expiryYear: '2099', cvc: '1234' } });
    const answer = await pay(sandbox, body);
    expect(answer).toMatchObject({ status: 400, body: { error: 'American Express cards are not accepted by this merchant' } });
  });

  it.each([
    ['a bad Luhn digit', '4242424242424241'],
    ['too few digits', '424242424242'],
    ['too many digits', '42424242424242424242'],
    ['spaces', '4242 4242 4242 4242'],
  ])('rejects a card number with %s: "Invalid card number length or format"', async (_name, number) => {
    const answer = await pay(sandbox, s2sBody(number));
    expect(answer).toMatchObject({ status: 400, body: { error: 'Invalid card number length or format' } });
  });

  it('rejects a past expiry: "Card expiry date is in the past"', async () => {
    const answer = await pay(sandbox, s2sBody('4242424242424242', { cardDetails: { number: '4242424242424242', expiryMonth: '01', expiryYear: String(PAST_YEAR), cvc: '123' } }));
    expect(answer).toMatchObject({ status: 400, body: { error: 'Card expiry date is in the past' } });
  });

  it.each([
    ['amount', (b: Record<string, unknown>) => delete b.amount, 'amount is required'],
    ['reference', (b: Record<string, unknown>) => delete b.reference, 'reference is required'],
    ['cardDetails', (b: Record<string, unknown>) => delete b.cardDetails, 'cardDetails is required'],
    ['browserData', (b: Record<string, unknown>) => delete b.browserData, 'browserData is required'],
    ['cardDetails.cvc', (b: Record<string, unknown>) => delete (b.cardDetails as Record<string, unknown>).cvc, 'cardDetails.cvc is required'],
    ['browserData.browserIP', (b: Record<string, unknown>) => delete (b.browserData as Record<string, unknown>).browserIP, 'browserData.browserIP is required'],
    ['browserData.challengeWindowSize', (b: Record<string, unknown>) => delete (b.browserData as Record<string, unknown>).challengeWindowSize, 'browserData.challengeWindowSize is required'],
  ])('names the missing %s', async (_field, mutate, message) => {
    const body = structuredClone(s2sBody('4242424242424242'));
    mutate(body);
    const answer = await pay(sandbox, body);
    expect(answer).toMatchObject({ status: 400, body: { error: message } });
  });

  it.each([
    [{ amount: '10.00' }, 'amount'],
    [{ amount: 10.001 }, 'amount'],
    [{ amount: -1 }, 'amount'],
    [{ reference: '' }, 'reference'],
    [{ payerEmail: 'nope' }, 'payerEmail'],
    [{ cardDetails: { number: '4242424242424242', expiryMonth: '1', expiryYear: '2099', cvc: '123' } }, 'cardDetails.expiryMonth'],
    [{ cardDetails: { number: '4242424242424242', expiryMonth: '12', expiryYear: '99', cvc: '123' } }, 'cardDetails.expiryYear'],
    [{ cardDetails: { number: '4242424242424242', expiryMonth: 12, expiryYear: '2099', cvc: '123' } }, 'cardDetails.expiryMonth'],
    [{ cardDetails: { number: '4242424242424242', expiryMonth: '12', expiryYear: '2099', cvc: '12' } }, 'cardDetails.cvc'],
    [{ browserData: { deviceChannel: 'Fax' } }, 'browserData'],
  ])('rejects %j with 400 naming the field', async (override, field) => {
    const answer = await pay(sandbox, s2sBody('4242424242424242', override));
    expect(answer.status).toBe(400);
    expect(String(answer.body.error)).toContain(field);
  });
});

describe('Trustist idempotency on reference', () => {
  it('answers a retry with the first payment and charges once; another amount is a 409', async () => {
    const body = s2sBody('4242424242424242');
    const first = await pay(sandbox, body);
    const second = await pay(sandbox, body);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const conflict = await pay(sandbox, { ...body, amount: 1 });
    expect(conflict.status).toBe(409);
    expect(typeof conflict.body.error).toBe('string');
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toHaveLength(1);
  });

  it('processes concurrent duplicates once', async () => {
    const body = s2sBody('4000000000000077');
    const answers = await Promise.all(Array.from({ length: 5 }, () => pay(sandbox, body)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.body.status === 'COMPLETE')).toBe(true);
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toHaveLength(1);
  });

  it('answers the current state of a challenged or declined payment on retry', async () => {
    const challenged = s2sBody('4000000000003220');
    const first = await pay(sandbox, challenged);
    expect((await pay(sandbox, challenged)).body).toEqual(first.body);
    await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${first.body.id}`, { body: { outcome: 'authenticate' } });
    expect((await pay(sandbox, challenged)).body).toEqual({ id: first.body.id, status: 'COMPLETE', requiredAction: null });
    expect(await ledgerOf(sandbox.apiUrl, String(challenged.reference))).toHaveLength(1);

    const declined = s2sBody('4000000000000002');
    const failed = await pay(sandbox, declined);
    expect((await pay(sandbox, declined)).body).toEqual(failed.body);
  });
});

describe('Trustist challenge completion', () => {
  it('completes on authenticate (charge, webhook), idempotently', async () => {
    const body = s2sBody('4000000000003220');
    const { body: created } = await pay(sandbox, body);
    const id = String(created.id);
    const done = await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${id}`, { body: { outcome: 'authenticate' } });
    expect(done).toMatchObject({ status: 200, body: { type: 'trustist.challenge', id, status: 'COMPLETE' } });
    const again = await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${id}`, { body: { outcome: 'fail' } });
    expect(again.body).toEqual(done.body);
    expect((await getPayment(sandbox, id)).body.status).toBe('COMPLETE');
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toHaveLength(1);
    const hooks = await receiver.waitFor(2);
    expect(hooks.map((h) => [h.body.eventType, h.body.status])).toEqual([
      ['payment.created', 'PENDING_ACTION'],
      ['payment.completed', 'COMPLETE'],
    ]);
  });

  it('fails on "fail" with AUTHENTICATION_FAILED and charges nothing', async () => {
    const body = s2sBody('4000000000003220');
    const id = String((await pay(sandbox, body)).body.id);
    const done = await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${id}`, { body: { outcome: 'fail' } });
    expect(done.body).toEqual({ type: 'trustist.challenge', id, status: 'FAILED' });
    expect((await getPayment(sandbox, id)).body).toMatchObject({ status: 'FAILED', failureReason: 'AUTHENTICATION_FAILED' });
    expect(await ledgerOf(sandbox.apiUrl, String(body.reference))).toEqual([]);
  });

  it('answers 400 without paymentId or with a bad outcome, 404 for an unknown payment, 409 with no challenge', async () => {
    expect((await call(`${sandbox.apiUrl}/challenge/complete`, { body: { outcome: 'fail' } })).status).toBe(400);
    expect((await call(`${sandbox.apiUrl}/challenge?paymentId=3PAYNOPE`)).status).toBe(404);
    const id = String((await pay(sandbox, s2sBody('4000000000003220'))).body.id);
    expect((await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${id}`, { body: { outcome: 'maybe' } })).status).toBe(400);
    const declined = String((await pay(sandbox, s2sBody('4000000000000002'))).body.id);
    expect((await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${declined}`, { body: { outcome: 'authenticate' } })).body.status).toBe('FAILED');
  });
});

describe('Trustist status, refunds and cancel', () => {
  it('answers 404 {error} for an unknown payment', async () => {
    const answer = await getPayment(sandbox, '3PAYUNKNOWN');
    expect(answer.status).toBe(404);
    expect(typeof answer.body.error).toBe('string');
  });

  it('refunds partially and fully, idempotent on the refund reference, never more than paid', async () => {
    const body = s2sBody('4242424242424242', { amount: 50 });
    const id = String((await pay(sandbox, body)).body.id);
    const refundsUrl = `${sandbox.apiUrl}/v1/payments/${id}/refunds`;
    const first = await hawkCall(refundsUrl, 'POST', { amount: 20, reference: `${body.reference}-r1` });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: expect.stringMatching(/^3REF/), paymentId: id, amount: 20, reference: `${body.reference}-r1`, status: 'COMPLETE' });
    expect((await hawkCall(refundsUrl, 'POST', { amount: 20, reference: `${body.reference}-r1` })).body.id).toBe(first.body.id);
    expect((await hawkCall(refundsUrl, 'POST', { amount: 21, reference: `${body.reference}-r1` })).status).toBe(409);
    expect((await getPayment(sandbox, id)).body).toMatchObject({ status: 'COMPLETE', refundedAmount: 20 });
    const tooMuch = await hawkCall(refundsUrl, 'POST', { amount: 30.01, reference: `${body.reference}-r2` });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error).toMatch(/exceeds/);
    expect((await hawkCall(refundsUrl, 'POST', { amount: 30, reference: `${body.reference}-r3` })).status).toBe(200);
    expect((await getPayment(sandbox, id)).body).toMatchObject({ status: 'REFUNDED', refundedAmount: 50 });
    const ledger = await ledgerOf(sandbox.apiUrl, String(body.reference));
    expect(ledger.map((e) => [e.type, e.amountMinor])).toEqual([['charge', 5000], ['refund', 2000], ['refund', 3000]]);
    expect((await call(refundsUrl, { body: { amount: 1, reference: 'x' } })).status).toBe(401);
  });

  it('refuses to refund a failed or unknown payment', async () => {
    const failed = String((await pay(sandbox, s2sBody('4000000000000002'))).body.id);
    expect((await hawkCall(`${sandbox.apiUrl}/v1/payments/${failed}/refunds`, 'POST', { amount: 1, reference: `r-${failed}` })).status).toBe(400);
    expect((await hawkCall(`${sandbox.apiUrl}/v1/payments/3PAYNOPE/refunds`, 'POST', { amount: 1, reference: 'r-nope' })).status).toBe(404);
  });

  it('cancels a PENDING_ACTION payment (FAILED, CANCELLED, webhook) and refuses others with 409', async () => {
    const id = String((await pay(sandbox, s2sBody('4000000000003220'))).body.id);
    const cancelled = await hawkCall(`${sandbox.apiUrl}/v1/payments/${id}/cancel`, 'POST', {});
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'FAILED', failureReason: 'CANCELLED' });
    expect((await hawkCall(`${sandbox.apiUrl}/v1/payments/${id}/cancel`, 'POST', {})).status).toBe(200);
    const hooks = await receiver.waitFor(2);
    expect(hooks[1]!.body).toMatchObject({ eventType: 'payment.failed', status: 'FAILED', paymentId: id });
    const complete = String((await pay(sandbox, s2sBody('4242424242424242'))).body.id);
    expect((await hawkCall(`${sandbox.apiUrl}/v1/payments/${complete}/cancel`, 'POST', {})).status).toBe(409);
    const challengeAfterCancel = await call(`${sandbox.apiUrl}/challenge/complete?paymentId=${id}`, { body: { outcome: 'authenticate' } });
    expect(challengeAfterCancel.body.status).toBe('FAILED');
  });
});

describe('Trustist webhooks', () => {
  it('posts unsigned payment.created and payment.completed bodies with the documented fields', async () => {
    const body = s2sBody('4242424242424242', { amount: 12.34 });
    const id = String((await pay(sandbox, body)).body.id);
    const hooks = await receiver.waitFor(2);
    const common = {
      merchantId: 'merchant-42',
      paymentId: id,
      orgId: 'sandbox-org',
      created: expect.stringMatching(/^\d{4}-/),
      status: 'COMPLETE',
      amount: 12.34,
      currency: 'GBP',
      description: 'Sandbox test order',
      reference: body.reference,
      paymentMethod: 'Card',
    };
    expect(hooks.map((h) => h.body)).toEqual([
      { ...common, eventType: 'payment.created' },
      { ...common, eventType: 'payment.completed' },
    ]);
    expect(Object.keys(hooks[0]!.headers).filter((h) => /signature/i.test(h))).toEqual([]);
  });

  it('posts payment.failed for a decline and retries a failing receiver', async () => {
    await receiver.close();
    receiver = await startReceiver((n) => (n === 1 ? 502 : 200));
    sandbox.setWebhookUrl(receiver.url);
    const id = String((await pay(sandbox, s2sBody('4000000000009995'))).body.id);
    const hooks = await receiver.waitFor(3);
    await pause(100);
    expect([hooks[0]!.body.eventType, hooks[0]!.answered]).toEqual(['payment.created', 502]);
    expect(hooks.slice(1).map((h) => `${h.body.eventType} ${h.answered}`).sort()).toEqual(['payment.created 200', 'payment.failed 200']);
    expect(hooks[2]!.raw === hooks[0]!.raw || hooks[1]!.raw === hooks[0]!.raw).toBe(true);
    expect(hooks.find((h) => h.body.eventType === 'payment.failed')!.body).toMatchObject({ paymentId: id, status: 'FAILED' });
    const log = (await call<{ deliveries: { eventType: string; attempts: number; state: string }[] }>(`${sandbox.apiUrl}/__sandbox/webhooks`)).body;
    expect(log.deliveries.find((d) => d.eventType === 'payment.created' && d.attempts === 2)).toMatchObject({ state: 'delivered' });
  });

  it('supports the webhook switches too (drop)', async () => {
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'drop' });
    await pay(sandbox, s2sBody('4242424242424242'));
    await pause(100);
    expect(receiver.received).toHaveLength(0);
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'deliver' });
  });
});
