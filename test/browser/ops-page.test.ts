import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { behindOurBack, runReconciliation, waitForVisiblePayments } from '../operations/support/reconciliation';
import { OPERATOR_KEY, startApiStack, TRUSTIST_WEBHOOK_PATH_SECRET, type ApiStack } from '../support/api-stack';
import { createPayment, paymentBody, type PaymentBody } from '../support/merchant-client';
import { testCard, TEST_CARDS } from '../support/test-cards';

/**
 * The operator page in headless Chromium: after signing in with the operator key it shows the latest reconciliation
 * report, the unmatched-webhook inbox and the payments waiting longest, each linked into the Temporal Web UI.
 */

const ARTIFACTS = join(__dirname, '..', 'artifacts');

let stack: ApiStack;
let browser: Browser;
let refunded: PaymentBody;
let waiting: PaymentBody;
const unmatchedReference = `order-unknown-${Date.now()}`;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  [stack, browser] = await Promise.all([
    startApiStack({ timing: { statusPollDelaysMs: [600_000] } }),
    launchChromium(),
  ]);
  refunded = (await createPayment(stack.baseUrl, paymentBody('turnstay'))).body;
  waiting = (await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.challenge) }))).body;
  expect([refunded.status, waiting.status]).toEqual(['COMPLETE', 'PENDING_ACTION']);
  await behindOurBack(stack.turnstay.apiUrl, `/payments/${refunded.providerPaymentId}/refund`, { amountMinor: 2_000 });
  // A Trustist webhook naming no payment of ours: acknowledged, and kept in the inbox for an operator.
  const webhook = await fetch(`${stack.baseUrl}/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ paymentId: '3PAYUNKNOWN', reference: unmatchedReference, status: 'COMPLETE', eventType: 'payment.completed' }),
  });
  expect(await webhook.json()).toMatchObject({ outcome: 'unmatched' });
  await waitForVisiblePayments(stack, 2);
  await runReconciliation(stack);
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

test('an operator signs in and sees the report, the webhook inbox and the waiting payments, linked to the Web UI', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  try {
    const refused = await page.goto(`${stack.baseUrl}/ops`);
    expect(refused?.status()).toBe(401);

    await page.goto(`${stack.baseUrl}/ops/login`);
    await page.fill('input[name=key]', OPERATOR_KEY);
    await Promise.all([page.waitForURL(`${stack.baseUrl}/ops/login`), page.click('button[type=submit]')]);
    await page.click('a[href="/ops"]');
    await page.locator('h1', { hasText: 'Payments operations' }).waitFor({ timeout: 10_000 });

    const reconciliation = page.locator('#reconciliation');
    await expect(reconciliation.locator('tbody tr').count()).resolves.toBe(1);
    expect(await reconciliation.locator('tbody tr').innerText()).toContain('COMPLETE here, refunded 20.00 GBP at the provider');
    expect(await page.locator('#webhook-inbox tbody').innerText()).toContain(unmatchedReference);
    const waitingRow = page.locator('#waiting-longest tbody tr', { hasText: waiting.id });
    expect(await waitingRow.innerText()).toContain('PENDING_ACTION');
    const uiUrl = process.env.TEST_TEMPORAL_UI_URL as string;
    expect(await waitingRow.locator('a').getAttribute('href')).toBe(`${uiUrl}/namespaces/${stack.namespace}/workflows/${waiting.id}`);
    expect(await reconciliation.locator('tbody a').getAttribute('href')).toBe(`${uiUrl}/namespaces/${stack.namespace}/workflows/${refunded.id}`);
    await page.screenshot({ path: join(ARTIFACTS, 'ops-page.png'), fullPage: true });
  } finally {
    await context.close();
  }
}, 60_000);
