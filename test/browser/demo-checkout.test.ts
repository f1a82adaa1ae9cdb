import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { getPayment, type PaymentBody } from '../support/merchant-client';
import { charges } from '../support/sandbox-client';
import { TEST_CARDS } from '../support/test-cards';

/**
 * The demo checkout page (GET /demo) in headless Chromium against the real API, worker and sandboxes: the shopper
 * picks a provider and a test card, pays, answers the sandbox's 3-D Secure challenge inside the page's iframe, and
 * the page ends on COMPLETE. The API and the provider's ledger confirm one charge.
 */

const ARTIFACTS = join(__dirname, '..', 'artifacts');

let stack: ApiStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [stack, browser] = await Promise.all([
    startApiStack(),
    launchChromium(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

beforeEach(async () => {
  context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  page = await context.newPage();
});
afterEach(() => context?.close());

const ledgerUrl = (provider: 'turnstay' | 'trustist') => (provider === 'turnstay' ? stack.turnstay.apiUrl : stack.trustist.apiUrl);

/** Fills the form (screenshot) and clicks Pay; resolves with the API's answer to the page's POST /v1/payments. */
async function pay(provider: 'turnstay' | 'trustist', card: string, screenshot: string): Promise<PaymentBody> {
  await page.goto(`${stack.baseUrl}/demo`);
  await page.selectOption('#provider', provider);
  await page.selectOption('#card', card);
  expect(await page.textContent('#status')).toBe('not started');
  await page.screenshot({ path: join(ARTIFACTS, screenshot), fullPage: true });
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/v1/payments', { timeout: 15_000 }),
    page.click('#pay'),
  ]);
  const body = (await response.json()) as PaymentBody;
  expect(response.status()).toBe(201);
  return body;
}

async function expectOneCharge(provider: 'turnstay' | 'trustist', created: PaymentBody) {
  const api = await getPayment(stack.baseUrl, created.id);
  expect(api.status).toBe(200);
  expect(api.body).toMatchObject({ id: created.id, status: 'COMPLETE', provider, card: { last4: created.card.last4 } });
  const ledger = await charges(ledgerUrl(provider), created.id);
  expect(ledger).toEqual([expect.objectContaining({ type: 'charge', reference: created.id, amountMinor: 4_999, currency: 'GBP' })]);
}

describe('demo checkout in Chromium', () => {
  it.each(['turnstay', 'trustist'] as const)('%s: 3-D Secure challenge in the iframe, Authenticate, COMPLETE, charged once', async (provider) => {
    const created = await pay(provider, TEST_CARDS.challenge, `demo-${provider}-challenge-before.png`);
    expect(created).toMatchObject({ status: 'PENDING_ACTION', provider, card: { last4: '3220' }, nextAction: { type: 'redirect' } });

    // The page frames the sandbox's hosted challenge page at the URL the API returned.
    const iframe = page.locator('#challenge');
    await iframe.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await iframe.getAttribute('src')).toBe(created.nextAction!.url);
    const authenticate = page.frameLocator('#challenge').locator('#authenticate');
    await authenticate.waitFor({ state: 'visible', timeout: 10_000 });
    expect(page.frames().some((frame) => frame.url() === created.nextAction!.url)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, `demo-${provider}-challenge-frame.png`), fullPage: true });
    // Nothing is charged before the shopper authenticates.
    expect(await charges(ledgerUrl(provider), created.id)).toEqual([]);

    await authenticate.click();
    await page.locator('#status', { hasText: /^COMPLETE$/ }).waitFor({ timeout: 20_000 });
    expect(await iframe.isHidden()).toBe(true);
    expect(await page.textContent('#detail')).toBe('(visa ****3220)');
    await page.screenshot({ path: join(ARTIFACTS, `demo-${provider}-challenge-after.png`), fullPage: true });

    await expectOneCharge(provider, created);
  }, 60_000);

  it('turnstay: a frictionless card completes on the Pay call, no iframe', async () => {
    const created = await pay('turnstay', TEST_CARDS.frictionless, 'demo-turnstay-frictionless-before.png');
    expect(created).toMatchObject({ status: 'COMPLETE', provider: 'turnstay', card: { last4: '4242' } });
    expect(created.nextAction).toBeUndefined();
    await page.locator('#status', { hasText: /^COMPLETE$/ }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#challenge').isHidden()).toBe(true);
    expect(await page.locator('#challenge').getAttribute('src')).toBeNull();
    // The iframe never navigated: no frame in the page shows anything but the checkout itself.
    expect(page.frames().map((frame) => frame.url()).filter((url) => url !== 'about:blank')).toEqual([`${stack.baseUrl}/demo`]);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-turnstay-frictionless-after.png'), fullPage: true });

    await expectOneCharge('turnstay', created);
  }, 60_000);
});
