import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { launchChromium } from '../support/chromium';
import { OPERATOR_KEY, startApiStack, type ApiStack } from '../support/api-stack';
import { createPayment, paymentBody, type PaymentBody } from '../support/merchant-client';
import { CVC_TOKEN, TEST_CARDS } from '../support/test-cards';
import { waitUntil } from '../support/wait-until';

/**
 * An operator in the Temporal Web UI (the run's dev server, UI 2.42.1) in headless Chromium: signs in to our codec
 * at /ops/login, points the UI's Data Encoder at /codec with cross-origin credentials, finds a payment by its
 * search attributes and reads its decoded input, which carries the card's brand and last four and nothing else.
 */

const ARTIFACTS = join(__dirname, '..', 'artifacts');
const NAMESPACE = 'default';
const PAN = TEST_CARDS.frictionless;

let stack: ApiStack;
let browser: Browser;
let ui: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const uiUrl = process.env.TEST_TEMPORAL_UI_URL;
  if (!uiUrl) throw new Error('TEST_TEMPORAL_UI_URL is not set: the jest global setup starts the dev server and its UI');
  ui = uiUrl;
  [stack, browser] = await Promise.all([startApiStack(), launchChromium()]);
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await stack?.close();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  contexts.push(context);
  return context.newPage();
}

/**
 * The UI keeps its Data Encoder settings in localStorage through its persistStore (JSON values) and reads them when
 * it loads: set before any of its scripts run, on the UI's origin only, in every page of the context.
 */
async function configureDataEncoder(page: Page): Promise<void> {
  await page.context().addInitScript(
    ([uiOrigin, endpoint]) => {
      if (location.origin !== uiOrigin) return;
      localStorage.setItem('endpoint', JSON.stringify(endpoint));
      localStorage.setItem('includeCredentials', JSON.stringify(true));
      localStorage.setItem('overrideRemoteCodecConfiguration', JSON.stringify(true));
    },
    [new URL(ui).origin, `${stack.baseUrl}/codec`],
  );
}

const listUrl = (query: string) => `${ui}/namespaces/${NAMESPACE}/workflows?query=${encodeURIComponent(query)}`;

/** A POST from the UI's origin to our codec, as the UI makes it. */
async function decodeFromUiOrigin(page: Page, body: string): Promise<{ status: number; text: string }> {
  return page.evaluate(
    async ([url, payloads]) => {
      const response = await fetch(url!, {
        method: 'POST',
        credentials: 'include',
        headers: { 'content-type': 'application/json', 'x-namespace': 'default' },
        body: payloads,
      });
      return { status: response.status, text: await response.text() };
    },
    [`${stack.baseUrl}/codec/decode`, body],
  );
}

/** The JSON payloads a codec response carries, as text. */
function decodedTexts(responseBody: string): string[] {
  const { payloads } = JSON.parse(responseBody) as { payloads: { data: string }[] };
  return payloads.map((payload) => Buffer.from(payload.data, 'base64').toString('utf8'));
}

it('an operator finds the payment by search attributes and reads its decoded input, with no card data', async () => {
  const created = await createPayment(stack.baseUrl, paymentBody('turnstay'));
  expect(created.status).toBe(201);
  const payment: PaymentBody = created.body;
  expect(payment).toMatchObject({ status: 'COMPLETE', card: { brand: 'visa', last4: '4242' } });
  const workflowId = payment.id;
  // Visibility trails the workflow a little: the UI is only asked once the server's list has the payment.
  const byReference = `MerchantReference="${payment.reference}"`;
  await waitUntil('the payment COMPLETE in visibility', async () => (await stack.client.workflow.count(`${byReference} AND PaymentStatus="COMPLETE"`)).count === 1 || undefined, 10_000, 100);

  const page = await newPage();
  const codecRequests: Request[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${stack.baseUrl}/codec/`)) codecRequests.push(request);
  });

  // (a) Sign in to the codec: an HttpOnly session cookie for /codec on 127.0.0.1 (the UI's site, another port).
  await page.goto(`${stack.baseUrl}/ops/login`);
  await page.fill('input[name=key]', OPERATOR_KEY);
  await page.click('button[type=submit]');
  await page.getByText('Signed in.').waitFor();
  expect(await page.context().cookies(`${stack.baseUrl}/codec/decode`)).toEqual([
    expect.objectContaining({ name: 'dp_operator_session', domain: '127.0.0.1', path: '/codec', httpOnly: true, sameSite: 'Lax' }),
  ]);

  // (b) The UI's Data Encoder: our endpoint, cross-origin credentials, overriding the server's (absent) setting.
  await configureDataEncoder(page);

  // (c) The workflows list, filtered by search attributes.
  await page.goto(listUrl(byReference));
  const rows = page.locator('table tbody tr');
  await page.getByRole('link', { name: workflowId, exact: true }).waitFor({ timeout: 15_000 });
  expect(await rows.count()).toBe(1);
  await page.screenshot({ path: join(ARTIFACTS, 'web-ui-list.png'), fullPage: true });

  await page.goto(listUrl(`PaymentStatus="PENDING_ACTION" AND ${byReference}`));
  await page.getByRole('heading', { name: 'No Results' }).waitFor({ timeout: 15_000 });
  expect(await page.getByRole('link', { name: workflowId, exact: true }).count()).toBe(0);

  // The status filter decides: the same reference with the payment's actual status lists it again. (Both clauses:
  // PaymentStatus="COMPLETE" alone lists every completed payment of the run, which in a full run can
  // run past the UI's first page.)
  await page.goto(listUrl(`PaymentStatus="COMPLETE" AND ${byReference}`));
  const link = page.getByRole('link', { name: workflowId, exact: true });
  await link.waitFor({ timeout: 15_000 });
  expect(await rows.count()).toBe(1);
  await page.screenshot({ path: join(ARTIFACTS, 'web-ui-list-complete.png'), fullPage: true });

  // (d) The workflow's page: its input, decoded by our codec, in the Input panel; event history decoded too.
  await Promise.all([page.waitForURL(new RegExp(`/workflows/${workflowId}/[0-9a-f-]+/history`)), link.click()]);
  const input = page.locator('.cm-content', { hasText: '"last4"' });
  await input.waitFor({ timeout: 15_000 });
  const decodedInput = JSON.parse(await input.innerText()) as { request: Record<string, unknown> };
  expect(decodedInput.request).toMatchObject({ paymentId: workflowId, reference: payment.reference, provider: 'turnstay', amountMinor: 12_345 });
  expect(decodedInput.request.card).toEqual({ brand: 'visa', last4: '4242' });
  await page.getByText('{"provider":"turnstay","providerPaymentId":"').first().waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(ARTIFACTS, 'web-ui-detail.png'), fullPage: true });

  const text = await page.innerText('body');
  expect(text).toContain(payment.reference);
  expect(text.replace(/\s+/g, '')).toContain('"last4":"4242"');
  const html = await page.content();
  expect(html).toContain(payment.reference);
  expect(html).not.toContain(PAN);
  expect(html).not.toMatch(/4242[\s-]?4242[\s-]?4242[\s-]?4242/);
  expect(html).not.toMatch(CVC_TOKEN);
  expect(text).not.toMatch(CVC_TOKEN);

  // The UI decoded through our codec, from its origin, with the session cookie; every call answered 200.
  const decodes = codecRequests.filter((request) => request.url() === `${stack.baseUrl}/codec/decode`);
  expect(decodes.length).toBeGreaterThan(0);
  const decoded: string[] = [];
  for (const request of decodes) {
    const headers = await request.allHeaders();
    expect(request.method()).toBe('POST');
    expect(headers.origin).toBe(ui);
    expect(headers['x-namespace']).toBe(NAMESPACE);
    expect(headers.cookie).toMatch(/(^|;\s*)dp_operator_session=/);
    const response = await request.response();
    expect(response?.status()).toBe(200);
    decoded.push(...decodedTexts(await response!.text()));
  }
  const allDecoded = decoded.join('\n');
  expect(allDecoded).toContain('"last4":"4242"');
  expect(allDecoded).not.toContain(PAN);
  expect(allDecoded).not.toMatch(CVC_TOKEN);

  // Without the session cookie the codec answers 401: the same UI, set up the same way in a fresh browser context
  // that never signed in, is refused and shows only the encrypted payload...
  const stranger = await newPage();
  await configureDataEncoder(stranger);
  const refusedByCodec = stranger.waitForResponse((response) => response.url() === `${stack.baseUrl}/codec/decode`);
  await stranger.goto(`${ui}/namespaces/${NAMESPACE}/workflows/${workflowId}`);
  expect((await refusedByCodec).status()).toBe(401);
  await stranger.locator('.cm-content', { hasText: 'encryption-key-id' }).first().waitFor({ timeout: 15_000 });
  await stranger.screenshot({ path: join(ARTIFACTS, 'web-ui-detail-signed-out.png'), fullPage: true });
  expect(await stranger.content()).not.toContain('last4');
  // ...and one of the UI's own calls, replayed from the UI's origin, gets 401 there and 200 where signed in.
  const replay = decodes[0]!.postData()!;
  const refused = await decodeFromUiOrigin(stranger, replay);
  expect(refused.status).toBe(401);
  expect(refused.text).not.toContain('last4');
  const accepted = await decodeFromUiOrigin(page, replay);
  expect(accepted.status).toBe(200);
  expect(decodedTexts(accepted.text).join('\n')).not.toContain(PAN);
}, 60_000);
