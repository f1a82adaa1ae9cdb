import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { type Browser, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import type { CardSubmission } from '../../activities/provider-adapter';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, getPayment, paymentBody, waitForPayment, waitForReservation, type PaymentBody } from '../support/merchant-client';
import { fillHostedForm } from '../support/hosted-form';
import { SANDBOX_TURNSTAY_KEY } from '../support/payment-stack';
import { charges, ledger } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';

/**
 * TurnStay Option A in headless Chromium against the real API, worker and sandboxes: the shopper types the card into
 * TurnStay's hosted form (the demo page's iframe, or the form itself for a reservation), never into anything of ours.
 * The API answers PENDING_ACTION with the form's URL; the payment confirms with TurnStay and ends COMPLETE (one
 * ledger charge), or EXPIRED when the form is abandoned; a reservation keeps only the token and is charged later.
 */

const ARTIFACTS = join(__dirname, '..', 'artifacts');
const FORM_TIMEOUT_MS = 25_000;
const DAY_MS = 86_400_000;
/** Typed only into the hosted form, and used nowhere else in the suite, so any trace of it is this test's. */
const HOSTED_PAN = '4111111111111111';
const HOSTED_CVC = '8264';

interface ReservationBody {
  id: string;
  status: string;
  nextAction?: { type: string; url: string };
  nextChargeAt?: string;
  card?: { brand: string; last4: string };
  failure?: { code: string };
  charges: { paymentIds: string[]; status: string }[];
}

let stack: ApiStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every card the API process put in its card vault: only a request's own card gets there. */
const vaultPuts: string[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [stack, browser] = await Promise.all([
    startApiStack({ timing: { challengeTimeoutMs: FORM_TIMEOUT_MS, statusPollDelaysMs: [1_000] } }),
    launchChromium(),
  ]);
  const put = stack.vault.put.bind(stack.vault);
  stack.vault.put = (submission: CardSubmission) => {
    vaultPuts.push(JSON.stringify(submission));
    return put(submission);
  };
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  page = await context.newPage();
});
afterEach(() => context?.close());

/** The demo page with "hosted form (iframe)" chosen: clicks Pay and resolves with the API's answer. */
async function payWithHostedForm(): Promise<PaymentBody> {
  await page.goto(`${stack.baseUrl}/demo`);
  await page.selectOption('#method', 'hosted_form');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/payments', { timeout: 15_000 }),
    page.click('#pay'),
  ]);
  expect(response.status()).toBe(201);
  expect(JSON.parse(response.request().postData() ?? '{}')).toMatchObject({ provider: 'turnstay', method: 'hosted_form' });
  expect(JSON.parse(response.request().postData() ?? '{}')).not.toHaveProperty('card');
  return (await response.json()) as PaymentBody;
}

async function fillCardForm(form: FrameLocator | Page, number: string, cvc = '123'): Promise<void> {
  await form.locator('#card_number').waitFor({ state: 'visible', timeout: 10_000 });
  await form.locator('#cardholder_name').fill('Hosted Shopper');
  await form.locator('#card_number').fill(number);
  await form.locator('#expiry_month').fill('12');
  await form.locator('#expiry_year').fill(String(new Date().getUTCFullYear() + 2));
  await form.locator('#cvc').fill(cvc);
  await form.locator('#pay').click();
}

const isHostedFormUrl = (url: string) => url.startsWith(`${stack.turnstay.scsUrl}/api/v1/card/tokenize/`);

describe('hosted card form (TurnStay Option A)', () => {
  it('the demo page: PENDING_ACTION with the Secure Card Service form in the iframe; the shopper pays there; COMPLETE, charged once', async () => {
    const created = await payWithHostedForm();
    expect(created).toMatchObject({ status: 'PENDING_ACTION', provider: 'turnstay', nextAction: { type: 'redirect' } });
    expect(isHostedFormUrl(created.nextAction!.url)).toBe(true);
    expect(created.card).toBeUndefined();
    expect(await page.locator('#challenge').getAttribute('src')).toBe(created.nextAction!.url);
    await page.screenshot({ path: join(ARTIFACTS, 'hosted-form-before.png'), fullPage: true });
    expect(await charges(stack.turnstay.apiUrl, created.id)).toEqual([]);

    await fillCardForm(page.frameLocator('#challenge'), TEST_CARDS.frictionless);
    await page.locator('#status', { hasText: /^COMPLETE$/ }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'hosted-form-after.png'), fullPage: true });

    const payment = await getPayment(stack.baseUrl, created.id);
    // The card is known from TurnStay's status only: brand and last four.
    expect(payment.body).toMatchObject({ status: 'COMPLETE', card: { brand: 'visa', last4: '4242' } });
    expect(payment.body.nextAction).toBeUndefined();
    expect(await charges(stack.turnstay.apiUrl, created.id)).toEqual([
      expect.objectContaining({ type: 'charge', reference: created.id, amountMinor: 4_999, currency: 'GBP' }),
    ]);
  }, 60_000);

  it('a 3-D Secure card on the hosted form: the challenge follows inside the same iframe, then COMPLETE', async () => {
    const created = await payWithHostedForm();
    const frame = page.frameLocator('#challenge');
    await fillCardForm(frame, TEST_CARDS.challenge);
    await frame.locator('#authenticate').click({ timeout: 10_000 });
    await page.locator('#status', { hasText: /^COMPLETE$/ }).waitFor({ timeout: 20_000 });
    expect(await charges(stack.turnstay.apiUrl, created.id)).toHaveLength(1);
  }, 60_000);

  it('an abandoned form: EXPIRED with nothing charged, and the intent cancelled at TurnStay', async () => {
    const created = await createPayment(stack.baseUrl, { ...paymentBody('turnstay', { method: 'hosted_form' }), card: undefined });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'PENDING_ACTION', nextAction: { type: 'redirect' } });
    const expired = await waitForPayment(stack.baseUrl, created.body.id, (payment) => payment.status !== 'PENDING_ACTION', FORM_TIMEOUT_MS + 30_000);
    expect(expired).toMatchObject({ status: 'EXPIRED', failure: { code: 'hosted_form_expired' } });
    const intent = await fetch(`${stack.turnstay.apiUrl}/api/v1/payments/intent/${created.body.providerPaymentId}`, {
      headers: { authorization: `Bearer ${SANDBOX_TURNSTAY_KEY}` },
    });
    expect(await intent.json()).toMatchObject({ status: { name: 'CANCELLED' } });
    expect(await ledger(stack.turnstay.apiUrl, created.body.id)).toEqual([]);
  }, FORM_TIMEOUT_MS + 60_000);

  it('a card declined on the hosted form: FAILED with the decline code, nothing charged', async () => {
    const created = await createPayment(stack.baseUrl, { ...paymentBody('turnstay', { method: 'hosted_form' }), card: undefined });
    expect(created.body.status).toBe('PENDING_ACTION');
    const filled = await fillHostedForm(created.body.nextAction!.url, testCard(TEST_CARDS.insufficientFunds));
    expect(filled.status).toBe(402);
    const failed = await waitForPayment(stack.baseUrl, created.body.id, (payment) => payment.status !== 'PENDING_ACTION', 20_000);
    expect(failed).toMatchObject({ status: 'FAILED', failure: { code: 'insufficient_funds' } });
    expect(await ledger(stack.turnstay.apiUrl, created.body.id)).toEqual([]);
  });

  it('refuses hosted mode with a card, with Trustist, and a card payment without a card: 400 naming the field', async () => {
    const withoutCard = (provider: 'turnstay' | 'trustist', extra: Record<string, unknown>) => ({ ...paymentBody(provider, extra), card: undefined });
    const cases: [Record<string, unknown>, string][] = [
      [paymentBody('turnstay', { method: 'hosted_form' }), 'card'],
      [withoutCard('trustist', { method: 'hosted_form' }), 'method'],
      [withoutCard('turnstay', {}), 'card'],
      [withoutCard('turnstay', { method: 'iframe' }), 'method'],
    ];
    for (const [body, field] of cases) {
      const response = await callApi<{ error: { code: string; field: string; message: string } }>(stack.baseUrl, 'POST', '/v1/payments', { body });
      expect({ status: response.status, field: response.body.error.field }).toEqual({ status: 400, field });
    }
    const reservation = await callApi<{ error: { field: string } }>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'trustist', amountMinor: 1_000, currency: 'GBP', reference: `stay-${randomUUID().slice(0, 12)}`, method: 'hosted_form',
        stay: { checkinAt: new Date(Date.now() + DAY_MS).toISOString(), checkoutAt: new Date(Date.now() + 2 * DAY_MS).toISOString() },
        policy: { kind: 'charge_now' },
      },
    });
    expect({ status: reservation.status, field: reservation.body.error.field }).toEqual({ status: 400, field: 'method' });
  });

  it('a reservation booked with the hosted form keeps only the token, then is charged at check-in', async () => {
    const checkinAt = new Date(Date.now() + 30_000).toISOString();
    const booked = await callApi<ReservationBody>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'turnstay', amountMinor: 40_000, currency: 'GBP', reference: `stay-${randomUUID().slice(0, 12)}`, method: 'hosted_form',
        payer: { email: 'guest@example.com' },
        stay: { checkinAt, checkoutAt: new Date(Date.parse(checkinAt) + DAY_MS).toISOString() },
        policy: { kind: 'on_checkin' },
      },
    });
    expect(booked.status).toBe(201);
    expect(booked.body).toMatchObject({ status: 'BOOKING', nextAction: { type: 'redirect' } });
    expect(isHostedFormUrl(booked.body.nextAction!.url)).toBe(true);

    // The guest is sent to the form (redirect mode); it keeps the card on file and charges nothing.
    await page.goto(booked.body.nextAction!.url);
    await fillCardForm(page, TEST_CARDS.frictionless);
    await page.locator('#result', { hasText: 'Card saved' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'hosted-form-reservation.png'), fullPage: true });

    const scheduled = await waitForReservation<ReservationBody>(stack.baseUrl, booked.body.id, (reservation) => reservation.status !== 'BOOKING', 20_000);
    expect(scheduled).toMatchObject({ status: 'SCHEDULED', nextChargeAt: checkinAt, card: { brand: 'visa', last4: '4242' } });
    expect(scheduled.nextAction).toBeUndefined();
    expect(JSON.stringify(scheduled)).not.toContain('pm_'); // the token stays inside the workflow
    expect(await ledgerOf(scheduled)).toEqual([]);

    const paid = await waitForReservation<ReservationBody>(stack.baseUrl, booked.body.id, (reservation) => reservation.status === 'PAID', 60_000);
    const entries = await ledgerOf(paid);
    expect(entries).toEqual([expect.objectContaining({ type: 'charge', amountMinor: 40_000 })]);
    expect(Date.parse((entries[0] as { at: string } & (typeof entries)[0]).at)).toBeGreaterThanOrEqual(Date.parse(checkinAt));
  }, 120_000);

  it('card data: the API process never sees a PAN typed into the hosted form (positive control: a card sent server-to-server)', async () => {
    const sentFromBrowser: { url: string; body: string }[] = [];
    page.on('request', (request) => sentFromBrowser.push({ url: request.url(), body: request.postData() ?? '' }));
    const s2s = await createPayment(stack.baseUrl, paymentBody('turnstay', { card: testCard(TEST_CARDS.frictionless) }));
    expect(s2s.body.status).toBe('COMPLETE');
    const created = await payWithHostedForm();
    await fillCardForm(page.frameLocator('#challenge'), HOSTED_PAN, HOSTED_CVC);
    await page.locator('#status', { hasText: /^COMPLETE$/ }).waitFor({ timeout: 20_000 });
    // A merchant that wrongly sends the card along with hosted mode gets a 400 that does not echo it.
    const mixed = await callApi(stack.baseUrl, 'POST', '/v1/payments', {
      body: paymentBody('turnstay', { method: 'hosted_form', card: { ...testCard(HOSTED_PAN), cvc: HOSTED_CVC } }),
    });
    expect(mixed.status).toBe(400);
    const traces = (text: string) => [HOSTED_PAN, `"${HOSTED_CVC}"`].filter((secret) => text.includes(secret));

    // The browser: the PAN went to TurnStay's Secure Card Service (positive control), never to our API.
    expect(sentFromBrowser.some(({ url, body }) => url.startsWith(stack.turnstay.scsUrl) && body.includes(HOSTED_PAN))).toBe(true);
    expect(sentFromBrowser.filter(({ url, body }) => url.startsWith(stack.baseUrl) && traces(body).length > 0)).toEqual([]);
    // The card vault held the server-to-server card (positive control), never the hosted one.
    expect(vaultPuts.some((put) => put.includes(TEST_CARDS.frictionless))).toBe(true);
    expect(vaultPuts.filter((put) => traces(put).length > 0)).toEqual([]);
    // Logs, the error body, and the payment's history, raw and decrypted.
    const logs = stack.capturedLogs.join('');
    expect(logs).toContain(created.id);
    expect(traces(logs)).toEqual([]);
    expect(traces(JSON.stringify(mixed.body))).toEqual([]);
    const history = await stack.client.workflow.getHandle(created.id).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    expect(raw).toContain(created.id);
    expect(traces(raw)).toEqual([]);
    const decoded = await decodedHistoryText(history);
    expect(decoded).toContain('"last4":"1111"'); // positive control: decrypted, and TurnStay's card summary is there
    expect(traces(decoded)).toEqual([]);
    expect(await charges(stack.turnstay.apiUrl, created.id)).toHaveLength(1);
  }, 60_000);
});

async function ledgerOf(reservation: ReservationBody) {
  const ids = reservation.charges.flatMap((charge) => charge.paymentIds);
  return (await Promise.all(ids.map((id) => ledger(stack.turnstay.apiUrl, id)))).flat();
}

/** Every payload of a history, decrypted with the stack's codec, as one text. */
async function decodedHistoryText(history: temporal.api.history.v1.IHistory): Promise<string> {
  const payloads: temporal.api.common.v1.IPayload[] = [];
  const collect = (value: unknown, seen: Set<unknown>) => {
    if (!value || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return;
    seen.add(value);
    const candidate = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
    if (candidate.metadata?.encoding && candidate.data instanceof Uint8Array) {
      payloads.push(candidate);
      return;
    }
    for (const inner of Object.values(value)) collect(inner, seen);
  };
  collect(history, new Set());
  const decoded = await stack.dataConverter.payloadCodecs![0]!.decode(payloads);
  return decoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
}
