import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startTrustistSandbox, startTurnstaySandbox, type RunningTrustistSandbox, type RunningTurnstaySandbox } from '../../sandbox';
import { admin, ledgerOf, silentLogger, startReceiver, type WebhookReceiver } from './support/helpers';
import { cardFields, confirm, createIntent, getIntent } from './support/turnstay';
import { pay, s2sBody } from './support/trustist';

/**
 * The hosted challenge pages in headless Chromium, framed by a merchant page served by the test: clicking a button
 * finalizes the payment, sends the webhook and posts the completion message to the parent window.
 */

const ARTIFACTS = join(__dirname, '..', 'artifacts');
let browser: Browser;
let parent: Server;
let parentUrl: string;
let turnstay: RunningTurnstaySandbox;
let trustist: RunningTrustistSandbox;
let turnstayHooks: WebhookReceiver;
let trustistHooks: WebhookReceiver;
let page: Page;

const PARENT_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>merchant checkout</title></head>
<body>
<h1>Merchant checkout</h1>
<pre id="log">waiting</pre>
<iframe id="challenge" width="520" height="520"></iframe>
<script>
  window.__messages = [];
  window.addEventListener('message', function (event) {
    window.__messages.push({ origin: event.origin, data: event.data });
    document.getElementById('log').textContent = JSON.stringify(event.data);
  });
  document.getElementById('challenge').src = new URLSearchParams(location.search).get('src');
</script>
</body></html>`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  parent = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PARENT_HTML));
  await new Promise<void>((resolve) => parent.listen(0, '127.0.0.1', resolve));
  parentUrl = `http://127.0.0.1:${(parent.address() as AddressInfo).port}/checkout`;
  [turnstayHooks, trustistHooks] = await Promise.all([startReceiver(), startReceiver()]);
  [turnstay, trustist] = await Promise.all([
    startTurnstaySandbox({ webhookUrl: turnstayHooks.url, logger: silentLogger() }),
    startTrustistSandbox({ webhookUrl: trustistHooks.url, logger: silentLogger() }),
  ]);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await Promise.all([turnstay?.close(), trustist?.close(), turnstayHooks?.close(), trustistHooks?.close()]);
  await new Promise<void>((resolve) => (parent ? parent.close(() => resolve()) : resolve()));
});

beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 640, height: 720 } });
  turnstayHooks.received.length = 0;
  trustistHooks.received.length = 0;
  await Promise.all([admin(turnstay.apiUrl, '/reset', {}), admin(trustist.apiUrl, '/reset', {})]);
});
afterEach(() => page.close());

async function clickInChallenge(challengeUrl: string, button: 'authenticate' | 'fail', screenshot: string): Promise<{ origin: string; data: Record<string, unknown> }> {
  await page.goto(`${parentUrl}?src=${encodeURIComponent(challengeUrl)}`);
  const frame = page.frameLocator('#challenge');
  await frame.locator(`#${button}`).click();
  await page.waitForFunction(() => (window as unknown as { __messages: unknown[] }).__messages.length > 0, undefined, { timeout: 5000 });
  await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  const messages = await page.evaluate(() => (window as unknown as { __messages: { origin: string; data: Record<string, unknown> }[] }).__messages);
  expect(messages).toHaveLength(1);
  return messages[0]!;
}

describe('TurnStay hosted challenge page in Chromium', () => {
  it('Authenticate: posts {type, lookup_id, status: PROCESSED} to the parent, sends the webhook, charges once', async () => {
    const intent = await createIntent(turnstay, { billing_amount: 4_200 });
    const answer = await confirm(turnstay, intent, cardFields('4000000000003220'));
    const challengeUrl = (answer.body.next_actions as { url: string }[])[0]!.url;
    const message = await clickInChallenge(challengeUrl, 'authenticate', 'turnstay-challenge-authenticate.png');
    expect(message).toEqual({ origin: turnstay.scsUrl, data: { type: 'turnstay.challenge', lookup_id: intent.lookup_id, status: 'PROCESSED' } });
    const hooks = await turnstayHooks.waitFor(2);
    expect(hooks.map((h) => h.body.type)).toEqual(['merchant_of_record.transaction.requires_action', 'merchant_of_record.payment_intent.succeeded']);
    expect(await ledgerOf(turnstay.apiUrl, String(intent.merchant_reference))).toEqual([expect.objectContaining({ type: 'charge', amountMinor: 4_200 })]);
    expect((await getIntent(turnstay, intent.lookup_id)).status.name).toBe('PROCESSED');
  });

  it('Fail: posts status FAILED, sends payment_failed, charges nothing', async () => {
    const intent = await createIntent(turnstay);
    const answer = await confirm(turnstay, intent, cardFields('4000000000003220'));
    const message = await clickInChallenge((answer.body.next_actions as { url: string }[])[0]!.url, 'fail', 'turnstay-challenge-fail.png');
    expect(message.data).toEqual({ type: 'turnstay.challenge', lookup_id: intent.lookup_id, status: 'FAILED' });
    const hooks = await turnstayHooks.waitFor(2);
    expect(hooks[1]!.body.type).toBe('merchant_of_record.payment_intent.payment_failed');
    expect(await ledgerOf(turnstay.apiUrl, String(intent.merchant_reference))).toEqual([]);
    expect(await getIntent(turnstay, intent.lookup_id)).toMatchObject({ status: { name: 'FAILED' }, failure_code: 'authentication_failed' });
  });

  it('hosted checkout (turnstay_payment_url): card form, then the challenge, then PROCESSED', async () => {
    const intent = await createIntent(turnstay, { payment_type: 'Card Payment' });
    await page.goto(intent.turnstay_payment_url);
    await page.fill('#cardholder_name', 'Jane Guest');
    await page.fill('#card_number', '4000 0000 0000 3220');
    await page.fill('#expiry_month', '12');
    await page.fill('#expiry_year', String(new Date().getUTCFullYear() + 3));
    await page.fill('#cvc', '123');
    await page.click('#pay');
    await page.waitForURL(/\/challenge\//);
    await page.click('#authenticate');
    await page.waitForSelector('body[data-status="PROCESSED"]');
    await page.screenshot({ path: join(ARTIFACTS, 'turnstay-hosted-checkout.png'), fullPage: true });
    expect((await getIntent(turnstay, intent.lookup_id)).status.name).toBe('PROCESSED');
    expect(await ledgerOf(turnstay.apiUrl, String(intent.merchant_reference))).toHaveLength(1);
  });
});

describe('Trustist hosted challenge page in Chromium', () => {
  it('Authenticate: posts {type, id, status: COMPLETE} to the parent, sends payment.completed, charges once', async () => {
    const body = s2sBody('4000000000003220', { amount: 25 });
    const answer = await pay(trustist, body);
    const id = String(answer.body.id);
    const message = await clickInChallenge((answer.body.requiredAction as { url: string }).url, 'authenticate', 'trustist-challenge-authenticate.png');
    expect(message).toEqual({ origin: trustist.apiUrl, data: { type: 'trustist.challenge', id, status: 'COMPLETE' } });
    const hooks = await trustistHooks.waitFor(2);
    expect(hooks.map((h) => [h.body.eventType, h.body.status])).toEqual([
      ['payment.created', 'PENDING_ACTION'],
      ['payment.completed', 'COMPLETE'],
    ]);
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toEqual([expect.objectContaining({ type: 'charge', amountMinor: 2_500, paymentId: id })]);
  });

  it('Fail: posts status FAILED, sends payment.failed, charges nothing', async () => {
    const body = s2sBody('4000000000003220');
    const answer = await pay(trustist, body);
    const id = String(answer.body.id);
    const message = await clickInChallenge((answer.body.requiredAction as { url: string }).url, 'fail', 'trustist-challenge-fail.png');
    expect(message.data).toEqual({ type: 'trustist.challenge', id, status: 'FAILED' });
    const hooks = await trustistHooks.waitFor(2);
    expect(hooks[1]!.body).toMatchObject({ eventType: 'payment.failed', status: 'FAILED', paymentId: id });
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toEqual([]);
  });
});
