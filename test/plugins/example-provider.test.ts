import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, waitForPayment } from '../support/merchant-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { exampleProvider } from './example-provider/module';
import { EXAMPLE_CHALLENGE_CARD, startExampleSandbox, type RunningExampleSandbox } from './example-provider/sandbox';

const WEBHOOK_SECRET = 'example-webhook-secret-0123456789';
const PRODUCTION_FOLDERS = ['activities', 'api', 'domain', 'infra', 'scripts', 'worker', 'workflows', 'sandbox'];

function productionFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? productionFiles(path) : /\.(ts|html)$/.test(entry) ? [path] : [];
  });
}

/**
 * A provider is a plugin: this one lives in the test folder (adapter, module, in-process sandbox with a ledger) and
 * is registered by the test's stack alone, yet takes a payment through a challenge, a signed webhook and a refund.
 */
describe('a third provider registered from outside the production code', () => {
  let stack: ApiStack;
  let sandbox: RunningExampleSandbox;

  beforeAll(async () => {
    sandbox = await startExampleSandbox();
    stack = await startApiStack({
      // Status polls wait far longer than the test: only the webhook can finish the challenged payment.
      timing: { statusPollDelaysMs: [600_000] },
      plugins: [{ module: exampleProvider, env: { EXAMPLE_API_URL: sandbox.url, EXAMPLE_API_KEY: sandbox.apiKey, EXAMPLE_WEBHOOK_SECRET: WEBHOOK_SECRET } }],
    });
    sandbox.setWebhook(`${stack.baseUrl}/webhooks/example`, WEBHOOK_SECRET);
  });
  afterAll(async () => {
    await stack?.close();
    await sandbox?.close();
  });

  test('no production file names the example provider', () => {
    const root = resolve(__dirname, '../..');
    const naming = PRODUCTION_FOLDERS.flatMap((folder) => productionFiles(join(root, folder))).filter((file) =>
      /['"`]example['"`]|Example Pay|test\/plugins/.test(readFileSync(file, 'utf8')),
    );
    expect(naming).toEqual([]);
  });

  test('payment with a challenge, finished by the signed webhook, then refunded once', async () => {
    const created = await createPayment(stack.baseUrl, {
      provider: 'example',
      amountMinor: 2_500,
      currency: 'EUR',
      reference: `example-${Date.now()}`,
      card: testCard(EXAMPLE_CHALLENGE_CARD),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'PENDING_ACTION', provider: 'example', nextAction: { type: 'redirect' } });
    const providerPaymentId = created.body.providerPaymentId as string;

    const webhook = await sandbox.completeChallenge(providerPaymentId);
    expect(webhook).toEqual({ status: 200, body: { received: true, outcome: 'signalled' } });
    const completed = await waitForPayment(stack.baseUrl, created.body.id, (payment) => payment.status === 'COMPLETE');
    expect(completed.transitions.map((transition) => transition.status)).toEqual(expect.arrayContaining(['PENDING_ACTION', 'COMPLETE']));

    const refund = await callApi<{ status: string; amountMinor: number }>(stack.baseUrl, 'POST', `/v1/payments/${created.body.id}/refund`, {
      body: { amountMinor: 1_000 },
      headers: { 'idempotency-key': `refund-${created.body.id}` },
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toMatchObject({ status: 'SUCCEEDED', amountMinor: 1_000 });
    expect(sandbox.ledger.filter((entry) => entry.paymentId === providerPaymentId)).toEqual([
      { type: 'charge', paymentId: providerPaymentId, amountMinor: 2_500 },
      { type: 'refund', paymentId: providerPaymentId, amountMinor: 1_000 },
    ]);
  });

  test("the provider's own rules and webhook verification apply; an unknown provider is a 404 JSON", async () => {
    const wrongCurrency = await createPayment(stack.baseUrl, { provider: 'example', amountMinor: 100, currency: 'USD', reference: 'example-usd', card: testCard(TEST_CARDS.frictionless) });
    expect(wrongCurrency.status).toBe(400);
    expect(wrongCurrency.body).toMatchObject({ error: { field: 'currency', message: 'currency: Example Pay takes EUR and GBP only' } });

    const forged = await callApi<{ error: { code: string } }>(stack.baseUrl, 'POST', '/webhooks/example', {
      key: null,
      rawBody: JSON.stringify({ eventId: 'evt_forged', type: 'payment.succeeded', payment: { id: 'ex_pay_x', reference: 'payment-x', status: 'succeeded' } }),
      headers: { 'example-signature': '00'.repeat(32) },
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('signature_mismatch');

    const unknown = await callApi<{ error: { code: string; field: string } }>(stack.baseUrl, 'POST', '/webhooks/nobody', { key: null, rawBody: '{}' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_provider', field: 'provider' });
  });
});
