import { startTurnstaySandbox, type RunningTurnstaySandbox } from '../../sandbox';
import { call, ledgerOf, PAST_YEAR, silentLogger } from './support/helpers';
import { fillHostedForm } from '../support/hosted-form';
import { testCard } from '../support/test-cards';
import { AUTH, cardFields, confirm, confirmUrl, createIntent, getIntent, intentBody, scsOf, type Intent } from './support/turnstay';

const SLOW_MS = 150;
let sandbox: RunningTurnstaySandbox;

beforeAll(async () => {
  sandbox = await startTurnstaySandbox({ slowCardDelayMs: SLOW_MS, logger: silentLogger() });
});
afterAll(() => sandbox.close());

const intentUrl = () => `${sandbox.apiUrl}/api/v1/payments/intent`;

describe('TurnStay authentication', () => {
  it.each([
    ['no Authorization header', {}],
    ['an unknown key', { authorization: 'Bearer sk_test_nope' }],
    ['a publishable key', { authorization: 'Bearer pub_test_sandbox' }],
    ['a non-Bearer scheme', { authorization: 'Basic c2tfdGVzdF9zYW5kYm94Og==' }],
  ])('rejects %s with 401 {detail}', async (_name, headers) => {
    for (const [url, body] of [
      [intentUrl(), intentBody()],
      [`${sandbox.apiUrl}/api/v1/refund`, { payment_intent_id: 'pi_x', billing_amount: 1, reason: 'x' }],
    ] as const) {
      const answer = await call(url, { body, headers });
      expect(answer.status).toBe(401);
      expect(typeof answer.body.detail).toBe('string');
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const get = await call(`${intentUrl()}/pi_unknown`, { headers });
    expect(get.status).toBe(401);
  });
});

describe('TurnStay create payment intent', () => {
  it('creates a Virtual Card intent whose next_actions lead to the SCS as the S2S doc expects', async () => {
    const body = intentBody({ billing_amount: 10_000, description: 'Stay #1' });
    const answer = await call<Intent>(intentUrl(), { body, headers: AUTH });
    expect(answer.status).toBe(200);
    const intent = answer.body;
    expect(intent).toMatchObject({
      status: { name: 'INITIALIZED' },
      billing_amount: 10_000,
      billing_currency: 'GBP',
      merchant_reference: body.merchant_reference,
      payment_type: 'Virtual Card',
      checkin_date: '2030-06-01',
      checkout_date: '2030-06-04',
      description: 'Stay #1',
      amount_refunded: 0,
    });
    expect(Number.isInteger(intent.id)).toBe(true);
    expect(intent.lookup_id).toMatch(/^pi_[a-z0-9]+$/);
    expect(intent.turnstay_payment_url.startsWith(`${sandbox.apiUrl}/`)).toBe(true);
    expect(intent.next_actions.map((a) => a.type)).toEqual(['Tokenize Card', 'Confirm Payment']);
    const [tokenize, pay] = intent.next_actions.map((a) => new URL(a.url));
    expect(tokenize!.origin).toBe(sandbox.scsUrl);
    expect(pay!.origin).toBe(sandbox.apiUrl);
    const { scsIntentId, clientSecret } = scsOf(intent);
    expect(tokenize!.pathname).toBe(`/api/v1/card/tokenize/${scsIntentId}`);
    expect(pay!.pathname).toBe(`/api/v1/payments/intent/pay/${scsIntentId}`);
    expect(pay!.searchParams.get('client_secret')).toBe(clientSecret);
    expect(clientSecret.length).toBeGreaterThan(16);
    expect(intent).not.toHaveProperty('card');
    expect(intent).not.toHaveProperty('failure_code');
  });

  it('creates a Card Payment intent (the default) with no next_actions and a hosted page', async () => {
    const { payment_type: _omit, ...body } = intentBody();
    const answer = await call<Intent>(intentUrl(), { body, headers: AUTH });
    expect(answer.status).toBe(200);
    expect(answer.body.payment_type).toBe('Card Payment');
    expect(answer.body.next_actions).toEqual([]);
    const page = await fetch(answer.body.turnstay_payment_url);
    expect(page.status).toBe(200);
    expect(page.url.startsWith(`${sandbox.scsUrl}/checkout/`)).toBe(true);
    const html = await page.text();
    expect(html).toContain('id="card_number"');
    expect(html).toContain('GBP 123.45');
  });

  it.each([
    ['account_id', 'account_id is required'],
    ['billing_amount', 'billing_amount is required'],
    ['billing_currency', 'billing_currency is required'],
    ['checkin_date', 'checkin_date is required'],
  ])('answers 400 naming the missing %s', async (field, detail) => {
    const body = intentBody();
    delete body[field];
    const answer = await call(intentUrl(), { body, headers: AUTH });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ detail });
  });

  it.each([
    [{ billing_amount: 10.5 }, 400, 'billing_amount'],
    [{ billing_amount: '1000' }, 400, 'billing_amount'],
    [{ billing_amount: 0 }, 400, 'billing_amount'],
    [{ account_id: '1001' }, 400, 'account_id'],
    [{ checkin_date: '2030/06/01' }, 400, 'checkin_date'],
    [{ customer_email: 'not-an-email' }, 400, 'customer_email'],
    [{ payment_type: 'Cash' }, 400, 'payment_type'],
    [{ callback_url: 'not a url' }, 400, 'callback_url'],
    [{ billing_currency: 'ZAR' }, 422, 'billing_currency'],
    [{ account_id: 999 }, 422, 'account_id'],
    [{ checkout_date: '2030-05-01' }, 422, 'checkout_date'],
  ])('rejects %j with %i naming the field', async (override, status, field) => {
    const answer = await call(intentUrl(), { body: intentBody(override), headers: AUTH });
    expect(answer.status).toBe(status);
    expect(String(answer.body.detail)).toContain(field);
  });

  it('answers 400 to a body that is not JSON, 405 to a wrong method and 404 to an unknown path or intent', async () => {
    const bad = await call(intentUrl(), { rawBody: '{"account_id":', headers: { ...AUTH, 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/JSON/);
    const wrongMethod = await call(intentUrl(), { method: 'DELETE', headers: AUTH });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
    const unknownPath = await call(`${sandbox.apiUrl}/api/v1/nothing`, { headers: AUTH });
    expect(unknownPath.status).toBe(404);
    const unknownIntent = await call(`${intentUrl()}/pi_doesnotexist`, { headers: AUTH });
    expect(unknownIntent.status).toBe(404);
    expect(unknownIntent.body.detail).toContain('pi_doesnotexist');
  });
});

describe('TurnStay Idempotency-Key', () => {
  it('returns the same intent for the same key and body, 409 for the same key with another body', async () => {
    const key = `idem-${Date.now()}`;
    const body = intentBody();
    const first = await call<Intent>(intentUrl(), { body, headers: { ...AUTH, 'Idempotency-Key': key } });
    const second = await call<Intent>(intentUrl(), { body: { ...body }, headers: { ...AUTH, 'Idempotency-Key': key } });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.lookup_id).toBe(first.body.lookup_id);
    expect(second.body.id).toBe(first.body.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');

    const conflict = await call(intentUrl(), { body: { ...body, billing_amount: 1 }, headers: { ...AUTH, 'Idempotency-Key': key } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.detail).toMatch(/Idempotency-Key/);

    const other = await call<Intent>(intentUrl(), { body, headers: { ...AUTH, 'Idempotency-Key': `${key}-2` } });
    expect(other.body.lookup_id).not.toBe(first.body.lookup_id);
    const none = await call<Intent>(intentUrl(), { body, headers: AUTH });
    expect(none.body.lookup_id).not.toBe(first.body.lookup_id);
  });

  it('creates one intent for concurrent requests with one key, and a confirmed intent is charged once', async () => {
    const key = `idem-concurrent-${Date.now()}`;
    const body = intentBody();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call<Intent>(intentUrl(), { body, headers: { ...AUTH, 'Idempotency-Key': key } })),
    );
    expect(new Set(answers.map((a) => a.body.lookup_id)).size).toBe(1);
    const intent = answers[0]!.body;
    await confirm(sandbox, intent, cardFields('4242424242424242'));
    const replay = await call<Intent>(intentUrl(), { body, headers: { ...AUTH, 'Idempotency-Key': key } });
    expect(replay.body.lookup_id).toBe(intent.lookup_id);
    expect(await ledgerOf(sandbox.apiUrl, String(body.merchant_reference))).toHaveLength(1);
  });
});

describe('TurnStay SCS confirm: the test-card matrix', () => {
  it.each([
    ['4242424242424242', 'visa', '4242'],
    ['4444333322221111', 'visa', '1111'],
    ['378282246310005', 'amex', '0005'],
  ])('approves %s frictionlessly and records one charge', async (number, brand, last4) => {
    const intent = await createIntent(sandbox);
    const answer = await confirm(sandbox, intent, cardFields(number));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ lookup_id: intent.lookup_id, status: { name: 'PROCESSED' }, next_actions: [] });
    const after = await getIntent(sandbox, intent.lookup_id);
    expect(after.status.name).toBe('PROCESSED');
    expect(after.card).toEqual({ brand, last4 });
    expect(JSON.stringify(after)).not.toContain(number);
    const entries = await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference));
    expect(entries).toEqual([
      expect.objectContaining({ type: 'charge', provider: 'turnstay', paymentId: intent.lookup_id, amountMinor: 12_345, currency: 'GBP' }),
    ]);
  });

  it('answers the slow card after slowCardDelayMs, then approves', async () => {
    const intent = await createIntent(sandbox);
    const started = Date.now();
    const answer = await confirm(sandbox, intent, cardFields('4000000000000077'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_MS - 5);
    expect(answer.body.status).toEqual({ name: 'PROCESSED' });
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toHaveLength(1);
  });

  it.each([
    ['4000000000000002', 'card_declined'],
    ['4000000000009995', 'insufficient_funds'],
    ['4000000000000069', 'expired_card'],
  ])('declines %s with 402 %s; the intent is FAILED and nothing is charged', async (number, code) => {
    const intent = await createIntent(sandbox);
    const answer = await confirm(sandbox, intent, cardFields(number));
    expect(answer.status).toBe(402);
    expect(answer.body).toEqual({ detail: 'Your card was declined.', decline_code: code, lookup_id: intent.lookup_id });
    const after = await getIntent(sandbox, intent.lookup_id);
    expect(after.status.name).toBe('FAILED');
    expect(after.failure_code).toBe(code);
    expect(typeof after.failure_message).toBe('string');
    const again = await confirm(sandbox, intent, cardFields('4242424242424242'));
    expect(again.status).toBe(402);
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
  });

  it('answers 500 on every attempt for the provider-error card, charges nothing, and the intent stays confirmable', async () => {
    const intent = await createIntent(sandbox);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const answer = await confirm(sandbox, intent, cardFields('4000000000000119'));
      expect(answer.status).toBe(500);
      expect(typeof answer.body.detail).toBe('string');
    }
    expect((await getIntent(sandbox, intent.lookup_id)).status.name).toBe('INITIALIZED');
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
    expect((await confirm(sandbox, intent, cardFields('4242424242424242'))).body.status).toEqual({ name: 'PROCESSED' });
  });

  it('asks for a 3-D Secure challenge and charges only when it is authenticated, once', async () => {
    const intent = await createIntent(sandbox);
    const { scsIntentId, clientSecret } = scsOf(intent);
    const answer = await confirm(sandbox, intent, cardFields('4000000000003220'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      lookup_id: intent.lookup_id,
      status: { name: 'REQUIRES_ACTION' },
      next_actions: [{ type: '3DS Challenge', url: `${sandbox.scsUrl}/challenge/${scsIntentId}?client_secret=${clientSecret}` }],
    });
    expect((await getIntent(sandbox, intent.lookup_id)).status.name).toBe('REQUIRES_ACTION');
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
    // confirming again returns the same outcome and does not restart anything
    expect((await confirm(sandbox, intent, cardFields('4242424242424242'))).body.status).toEqual({ name: 'REQUIRES_ACTION' });

    const page = await fetch((answer.body.next_actions as { url: string }[])[0]!.url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('id="authenticate"');
    expect(html).toContain('id="fail"');
    expect(html).toContain('3220');
    expect(html).not.toContain('4000000000003220');

    const completeUrl = `${sandbox.scsUrl}/challenge/${scsIntentId}/complete?client_secret=${clientSecret}`;
    const done = await call(completeUrl, { body: { outcome: 'authenticate' } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ type: 'turnstay.challenge', lookup_id: intent.lookup_id, status: 'PROCESSED' });
    const twice = await call(completeUrl, { body: { outcome: 'fail' } });
    expect(twice.body).toEqual(done.body);
    expect((await getIntent(sandbox, intent.lookup_id)).status.name).toBe('PROCESSED');
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toHaveLength(1);

    expect((await call(completeUrl.replace(clientSecret, 'cs_wrong'), { body: { outcome: 'fail' } })).status).toBe(401);
    expect((await call(completeUrl, { body: { outcome: 'maybe' } })).status).toBe(422);
  });

  it('fails the intent with authentication_failed when the challenge fails', async () => {
    const intent = await createIntent(sandbox);
    const { scsIntentId, clientSecret } = scsOf(intent);
    await confirm(sandbox, intent, cardFields('4000000000003220'));
    const done = await call(`${sandbox.scsUrl}/challenge/${scsIntentId}/complete?client_secret=${clientSecret}`, { body: { outcome: 'fail' } });
    expect(done.body).toEqual({ type: 'turnstay.challenge', lookup_id: intent.lookup_id, status: 'FAILED' });
    const after = await getIntent(sandbox, intent.lookup_id);
    expect(after).toMatchObject({ status: { name: 'FAILED' }, failure_code: 'authentication_failed' });
    const again = await confirm(sandbox, intent, cardFields('4000000000003220'));
    expect(again.status).toBe(402);
    expect(again.body.decline_code).toBe('authentication_failed');
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
  });
});

describe('TurnStay SCS confirm: validation and idempotency', () => {
  it.each([
    [{ card_number: '4242424242424241' }, 'card_number'],
    [{ card_number: '4242' }, 'card_number'],
    [{ card_number: '4242 4242 4242 4242' }, 'card_number'],
    [{ card_number: 4242424242424242 }, 'card_number'],
    [{ expiry_year: PAST_YEAR }, 'expiry'],
    [{ expiry_month: 13 }, 'expiry_month'],
    [{ expiry_year: 26 }, 'expiry_year'],
    [{ expiry_month: '12' }, 'expiry_month'],
    [{ cvc: '12' }, 'cvc'],
    [{ cvc: 123 }, 'cvc'],
    [{ cardholder_name: undefined }, 'cardholder_name is required'],
    [{ customer_email: 'nope' }, 'customer_email'],
  ])('rejects %j with 422 naming the field and leaves the intent confirmable', async (override, field) => {
    const intent = await createIntent(sandbox);
    const answer = await confirm(sandbox, intent, cardFields('4242424242424242', override));
    expect(answer.status).toBe(422);
    expect(String(answer.body.detail)).toContain(field);
    expect((await getIntent(sandbox, intent.lookup_id)).status.name).toBe('INITIALIZED');
  });

  it('needs the right client_secret (401) and a known intent (404); no Bearer key is needed', async () => {
    const intent = await createIntent(sandbox);
    const { scsIntentId } = scsOf(intent);
    const missing = await call(`${sandbox.scsUrl}/api/v1/public/payment/intent/${scsIntentId}/confirm`, { body: cardFields('4242424242424242') });
    expect(missing.status).toBe(401);
    expect(missing.body.detail).toContain('client_secret');
    const wrong = await call(confirmUrl(sandbox, intent, 'cs_wrong'), { body: cardFields('4242424242424242') });
    expect(wrong.status).toBe(401);
    const unknown = await call(`${sandbox.scsUrl}/api/v1/public/payment/intent/scs_nope/confirm?client_secret=x`, { body: cardFields('4242424242424242') });
    expect(unknown.status).toBe(404);
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
  });

  it('never charges twice: a repeated confirm answers the first outcome, even with another card', async () => {
    const intent = await createIntent(sandbox);
    const first = await confirm(sandbox, intent, cardFields('4242424242424242'));
    const second = await confirm(sandbox, intent, cardFields('4000000000000002'));
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toHaveLength(1);
  });

  it('processes concurrent confirms of one intent once', async () => {
    const intent = await createIntent(sandbox);
    const answers = await Promise.all(Array.from({ length: 5 }, () => confirm(sandbox, intent, cardFields('4000000000000077'))));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.every((a) => (a.body.status as { name: string }).name === 'PROCESSED')).toBe(true);
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toHaveLength(1);
  });

  it('refuses server-to-server confirmation of a Card Payment intent', async () => {
    const intent = await createIntent(sandbox, { payment_type: 'Card Payment' });
    const redirect = await fetch(intent.turnstay_payment_url, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const checkout = new URL(redirect.headers.get('location')!);
    const scsIntentId = checkout.pathname.split('/').pop();
    const answer = await call(`${sandbox.scsUrl}/api/v1/public/payment/intent/${scsIntentId}/confirm?${checkout.searchParams}`, { body: cardFields('4242424242424242') });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toContain('Virtual Card');
    // the hosted form's own submit route does take it
    const hosted = await call(`${sandbox.scsUrl}/checkout/${scsIntentId}/submit?${checkout.searchParams}`, { body: cardFields('4242424242424242') });
    expect(hosted.body.status).toEqual({ name: 'PROCESSED' });
  });

  it('redirects GET on the Tokenize Card and Confirm Payment URLs to the hosted card form (embed option)', async () => {
    const intent = await createIntent(sandbox);
    for (const action of intent.next_actions) {
      const answer = await fetch(action.url, { redirect: 'manual' });
      expect(answer.status).toBe(302);
      expect(answer.headers.get('location')).toMatch(new RegExp(`^${sandbox.scsUrl}/checkout/scs_`));
    }
  });
});

describe('TurnStay tokenization and card on file', () => {
  it('tokenizes a card for an intent and confirms with the token on the SCS or the Confirm Payment URL', async () => {
    const intent = await createIntent(sandbox);
    const tokenized = await call(intent.next_actions[0]!.url, { body: cardFields('4444333322221111') });
    expect(tokenized.status).toBe(200);
    expect(tokenized.body).toEqual({
      payment_method_token: expect.stringMatching(/^pm_/),
      card: { brand: 'visa', last4: '1111', exp_month: 12, exp_year: expect.any(Number) },
    });
    const token = tokenized.body.payment_method_token as string;
    const confirmed = await confirm(sandbox, intent, { payment_method_token: token });
    expect(confirmed.body.status).toEqual({ name: 'PROCESSED' });

    const other = await createIntent(sandbox);
    const paid = await call(other.next_actions[1]!.url, { body: { payment_method_token: token } });
    expect(paid.status).toBe(200);
    expect(paid.body.status).toEqual({ name: 'PROCESSED' });
    expect((await getIntent(sandbox, other.lookup_id)).card).toEqual({ brand: 'visa', last4: '1111' });
  });

  it('rejects an unknown token with 422 and invalid cards at tokenization', async () => {
    const intent = await createIntent(sandbox);
    const unknown = await confirm(sandbox, intent, { payment_method_token: 'pm_unknown' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain('payment_method_token');
    const invalid = await call(intent.next_actions[0]!.url, { body: cardFields('1234567890123') });
    expect(invalid.status).toBe(422);
    const noSecret = await call(intent.next_actions[0]!.url.replace(/\?.*$/, ''), { body: cardFields('4242424242424242') });
    expect(noSecret.status).toBe(401);
  });

  it('saves a card on file through a Tokenization intent; the card behaviour applies when the token is charged later', async () => {
    const created = await call(`${sandbox.apiUrl}/api/v1/payment_method_token_intent`, {
      body: { account_id: 1001, payment_type: 'Tokenization', customer_email: 'guest@example.com' },
      headers: AUTH,
    });
    expect(created.status).toBe(200);
    expect(created.body.lookup_id).toMatch(/^pmti_/);
    const confirmEndpoint = String(created.body.confirm_endpoint_url);
    expect(confirmEndpoint.startsWith(`${sandbox.scsUrl}/`)).toBe(true);
    const card = { cardholder_name: 'Jane Guest', card_number: '4000000000003220', expiry_month: 1, expiry_year: 2099, cvc: '123' };
    const saved = await call(confirmEndpoint, { body: card });
    expect(saved.status).toBe(200);
    expect(saved.body).toMatchObject({ payment_method_token: expect.stringMatching(/^pm_/), card: { brand: 'visa', last4: '3220', exp_month: 1, exp_year: 2099 } });
    const again = await call(confirmEndpoint, { body: card });
    expect(again.body.payment_method_token).toBe(saved.body.payment_method_token);

    const intent = await createIntent(sandbox);
    const charged = await confirm(sandbox, intent, { payment_method_token: saved.body.payment_method_token });
    expect(charged.body.status).toEqual({ name: 'REQUIRES_ACTION' });

    expect((await call(confirmEndpoint.replace(/client_secret=[^&]+/, 'client_secret=bad'), { body: card })).status).toBe(401);
    const wrongType = await call(`${sandbox.apiUrl}/api/v1/payment_method_token_intent`, { body: { account_id: 1001, payment_type: 'Card Payment' }, headers: AUTH });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.detail).toContain('payment_type');
    const noAuth = await call(`${sandbox.apiUrl}/api/v1/payment_method_token_intent`, { body: { account_id: 1001, payment_type: 'Tokenization' } });
    expect(noAuth.status).toBe(401);
  });
});

describe('TurnStay hosted card-on-file form (Option A for a token)', () => {
  it('a Tokenization intent offers a "Tokenize Card" form; filling it keeps the card, charges nothing, and the intent shows the token', async () => {
    const created = await call(`${sandbox.apiUrl}/api/v1/payment_method_token_intent`, { body: { account_id: 1001, payment_type: 'Tokenization' }, headers: AUTH });
    const actions = created.body.next_actions as { type: string; url: string }[];
    expect(actions.map((action) => action.type)).toEqual(['Tokenize Card']);
    expect(actions[0]!.url.startsWith(`${sandbox.scsUrl}/api/v1/card/tokenize/`)).toBe(true);
    const statusUrl = `${sandbox.apiUrl}/api/v1/payment_method_token_intent/${String(created.body.lookup_id)}`;
    const before = await call(statusUrl, { method: 'GET', headers: AUTH });
    expect(before.body).toMatchObject({ status: { name: 'INITIALIZED' } });
    expect(before.body.payment_method_token).toBeUndefined();

    const page = await fetch(actions[0]!.url);
    expect(await page.text()).toContain('Save card');
    const ledgerBefore = (await ledgerOf(sandbox.apiUrl)).length;
    const filled = await fillHostedForm(actions[0]!.url, testCard('4242424242424242'));
    expect(filled.status).toBe(200);

    const after = await call(statusUrl, { method: 'GET', headers: AUTH });
    expect(after.body).toMatchObject({ status: { name: 'PROCESSED' }, payment_method_token: expect.stringMatching(/^pm_/), card: { brand: 'visa', last4: '4242' }, next_actions: [] });
    expect((await ledgerOf(sandbox.apiUrl)).length).toBe(ledgerBefore);
    expect((await call(statusUrl, { method: 'GET' })).status).toBe(401);
    expect((await call(`${sandbox.apiUrl}/api/v1/payment_method_token_intent/pmti_unknown`, { method: 'GET', headers: AUTH })).status).toBe(404);
  });

  it('an account settling in several currencies takes the S2S document\'s example (ZAR) as written and names them when refusing', async () => {
    const multi = await startTurnstaySandbox({ accountCurrencies: ['GBP', 'ZAR'], logger: silentLogger() });
    try {
      const documentExample = {
        account_id: 1001, billing_amount: 10000, billing_currency: 'ZAR', checkin_date: '2026-12-12',
        customer_phone_number: '+27123456789', customer_email: 'test@example.com', payment_type: 'Virtual Card',
      };
      const accepted = await call(`${multi.apiUrl}/api/v1/payments/intent`, { body: documentExample, headers: AUTH });
      expect([accepted.status, accepted.body.billing_currency]).toEqual([200, 'ZAR']);
      const refused = await call(`${multi.apiUrl}/api/v1/payments/intent`, { body: { ...documentExample, billing_currency: 'EUR' }, headers: AUTH });
      expect([refused.status, refused.body.detail]).toEqual([422, 'billing_currency must be one of the account currencies GBP, ZAR']);
    } finally {
      await multi.close();
    }
  });
});

describe('TurnStay refunds', () => {
  const refundUrl = () => `${sandbox.apiUrl}/api/v1/refund`;

  it('refunds partially then fully, idempotent on idempotency_key, never more than charged', async () => {
    const intent = await createIntent(sandbox, { billing_amount: 10_000 });
    await confirm(sandbox, intent, cardFields('4242424242424242'));
    const body = { payment_intent_id: intent.lookup_id, billing_amount: 2_500, reason: 'guest request', idempotency_key: `rf-${intent.lookup_id}` };
    const first = await call(refundUrl(), { body, headers: AUTH });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: expect.any(Number), payment_intent_id: intent.lookup_id, billing_amount: 2_500, status: 'COMPLETED' });
    const replay = await call(refundUrl(), { body, headers: AUTH });
    expect(replay.body.id).toBe(first.body.id);
    const conflict = await call(refundUrl(), { body: { ...body, billing_amount: 100 }, headers: AUTH });
    expect(conflict.status).toBe(409);

    const partial = await getIntent(sandbox, intent.lookup_id);
    expect(partial).toMatchObject({ status: { name: 'PARTIALLY_REFUNDED' }, amount_refunded: 2_500 });
    const tooMuch = await call(refundUrl(), { body: { payment_intent_id: intent.lookup_id, billing_amount: 7_501, reason: 'x' }, headers: AUTH });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.detail).toContain('billing_amount');
    const rest = await call(refundUrl(), { body: { payment_intent_id: intent.lookup_id, billing_amount: 7_500, reason: 'cancelled stay' }, headers: AUTH });
    expect(rest.status).toBe(200);
    expect((await getIntent(sandbox, intent.lookup_id))).toMatchObject({ status: { name: 'REFUNDED' }, amount_refunded: 10_000 });

    const existing = await call<unknown[]>(`${refundUrl()}/check-existing`, { body: { payment_intent_id: intent.lookup_id }, headers: AUTH });
    expect(existing.status).toBe(200);
    expect(existing.body).toHaveLength(2);
    const ledger = await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference));
    expect(ledger.map((e) => [e.type, e.amountMinor])).toEqual([['charge', 10_000], ['refund', 2_500], ['refund', 7_500]]);
  });

  it('refuses refunds of unpaid or unknown intents and names missing fields', async () => {
    const intent = await createIntent(sandbox);
    const unpaid = await call(refundUrl(), { body: { payment_intent_id: intent.lookup_id, billing_amount: 1, reason: 'x' }, headers: AUTH });
    expect(unpaid.status).toBe(422);
    const unknown = await call(refundUrl(), { body: { payment_intent_id: 'pi_nope', billing_amount: 1, reason: 'x' }, headers: AUTH });
    expect(unknown.status).toBe(404);
    const missing = await call(refundUrl(), { body: { payment_intent_id: intent.lookup_id, billing_amount: 1 }, headers: AUTH });
    expect(missing).toMatchObject({ status: 400, body: { detail: 'reason is required' } });
    const none = await call(`${refundUrl()}/check-existing`, { body: { payment_intent_id: intent.lookup_id }, headers: AUTH });
    expect(none.body).toEqual([]);
  });
});

describe('TurnStay cancel', () => {
  const cancelUrl = (lookupId: string) => `${sandbox.apiUrl}/api/v1/payments/intent/${lookupId}/cancel`;

  it('cancels an unpaid intent (idempotently) and then refuses to confirm it', async () => {
    const intent = await createIntent(sandbox);
    const cancelled = await call(cancelUrl(intent.lookup_id), { method: 'POST', headers: AUTH });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toEqual({ name: 'CANCELLED' });
    expect((await call(cancelUrl(intent.lookup_id), { method: 'POST', headers: AUTH })).status).toBe(200);
    const confirmed = await confirm(sandbox, intent, cardFields('4242424242424242'));
    expect(confirmed.status).toBe(409);
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
  });

  it('cancels an intent waiting for its challenge, after which the challenge cannot complete', async () => {
    const intent = await createIntent(sandbox);
    const { scsIntentId, clientSecret } = scsOf(intent);
    await confirm(sandbox, intent, cardFields('4000000000003220'));
    expect((await call(cancelUrl(intent.lookup_id), { method: 'POST', headers: AUTH })).body.status).toEqual({ name: 'CANCELLED' });
    const complete = await call(`${sandbox.scsUrl}/challenge/${scsIntentId}/complete?client_secret=${clientSecret}`, { body: { outcome: 'authenticate' } });
    expect(complete.status).toBe(409);
    expect(await ledgerOf(sandbox.apiUrl, String(intent.merchant_reference))).toEqual([]);
  });

  it('answers 409 for a processed intent and 404 for an unknown one', async () => {
    const intent = await createIntent(sandbox);
    await confirm(sandbox, intent, cardFields('4242424242424242'));
    const answer = await call(cancelUrl(intent.lookup_id), { method: 'POST', headers: AUTH });
    expect(answer.status).toBe(409);
    expect(answer.body.detail).toContain('PROCESSED');
    expect((await call(cancelUrl('pi_nope'), { method: 'POST', headers: AUTH })).status).toBe(404);
  });
});
