import { createHmac, timingSafeEqual } from 'node:crypto';
import { startTurnstaySandbox, type RunningTurnstaySandbox } from '../../sandbox';
import { pause, waitUntil } from '../support/wait-until';
import { admin, call, silentLogger, startReceiver, type ReceivedWebhook, type WebhookReceiver } from './support/helpers';
import { AUTH, cardFields, confirm, createIntent, scsOf } from './support/turnstay';

const SECRET = 'whsec_test_0123456789';
const BASE_DELAY = 40;
let sandbox: RunningTurnstaySandbox;
let receiver: WebhookReceiver;

/** Independent implementation of TurnStay's SDK check: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>, 300 s tolerance. */
function verifySignature(header: string | undefined, raw: string, secret: string, toleranceSec = 300): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.split('=') as [string, string]);
  const t = Number(parts.find(([k]) => k === 't')?.[1]);
  const signatures = parts.filter(([k]) => k === 'v1').map(([, v]) => v);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSec) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  return signatures.some((sig) => {
    const given = Buffer.from(sig, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

interface DeliveryLog {
  mode: { mode: string };
  deliveries: { eventId: string; eventType: string; attempts: number; lastStatus: number | null; lastError?: string; state: string; duplicate: boolean }[];
}
const deliveryLog = async () => (await call<DeliveryLog>(`${sandbox.apiUrl}/__sandbox/webhooks`)).body;

beforeAll(async () => {
  sandbox = await startTurnstaySandbox({ webhookSecret: SECRET, webhookRetry: { baseDelayMs: BASE_DELAY, maxAttempts: 4 }, logger: silentLogger() });
});
afterAll(() => sandbox.close());
beforeEach(async () => {
  await admin(sandbox.apiUrl, '/reset', {});
  receiver = await startReceiver();
  sandbox.setWebhookUrl(receiver.url);
});
afterEach(() => receiver.close());

async function payFrictionless(): Promise<string> {
  const intent = await createIntent(sandbox);
  await confirm(sandbox, intent, cardFields('4242424242424242'));
  return intent.lookup_id;
}

describe('TurnStay webhook envelope and signature', () => {
  it('sends a signed merchant_of_record.payment_intent.succeeded envelope', async () => {
    const intent = await createIntent(sandbox, { billing_amount: 5_000 });
    await confirm(sandbox, intent, cardFields('4242424242424242'));
    const [hook] = await receiver.waitFor(1);
    expect(hook!.headers['content-type']).toBe('application/json');
    const header = hook!.headers['turnstay-signature'] as string;
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(header, hook!.raw, SECRET)).toBe(true);
    expect(verifySignature(header, hook!.raw, 'whsec_other')).toBe(false);
    expect(verifySignature(header, hook!.raw.replace('5000', '5001'), SECRET)).toBe(false);
    expect(hook!.body).toEqual({
      id: expect.stringMatching(/^evt_/),
      object: 'event',
      type: 'merchant_of_record.payment_intent.succeeded',
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      api_version: expect.any(String),
      data: {
        object: expect.objectContaining({
          id: intent.lookup_id,
          object: 'payment_intent',
          status: 'processed',
          billing_amount: 5_000,
          billing_currency: 'GBP',
          merchant_reference: intent.merchant_reference,
          account_id: 1001,
        }),
        previous_attributes: { status: 'initialized' },
      },
    });
    expect(hook!.raw).not.toContain('4242424242424242');
  });

  it('sends an event for every status change: requires_action, succeeded, failed, refund, cancelled', async () => {
    const challenged = await createIntent(sandbox);
    const { scsIntentId, clientSecret } = scsOf(challenged);
    await confirm(sandbox, challenged, cardFields('4000000000003220'));
    await call(`${sandbox.scsUrl}/challenge/${scsIntentId}/complete?client_secret=${clientSecret}`, { body: { outcome: 'authenticate' } });
    await call(`${sandbox.apiUrl}/api/v1/refund`, { body: { payment_intent_id: challenged.lookup_id, billing_amount: 100, reason: 'x' }, headers: AUTH });
    const declined = await createIntent(sandbox);
    await confirm(sandbox, declined, cardFields('4000000000009995'));
    const cancelled = await createIntent(sandbox);
    await call(`${sandbox.apiUrl}/api/v1/payments/intent/${cancelled.lookup_id}/cancel`, { method: 'POST', headers: AUTH });

    const hooks = await receiver.waitFor(5);
    const seen = hooks.map((h) => [h.body.type, (h.body.data as { object: { id: string; status: string } }).object.id, (h.body.data as { object: { status: string } }).object.status]);
    expect(seen).toEqual([
      ['merchant_of_record.transaction.requires_action', challenged.lookup_id, 'requires_action'],
      ['merchant_of_record.payment_intent.succeeded', challenged.lookup_id, 'processed'],
      ['merchant_of_record.refund.created', challenged.lookup_id, 'partially_refunded'],
      ['merchant_of_record.payment_intent.payment_failed', declined.lookup_id, 'failed'],
      ['merchant_of_record.payment_intent.cancelled', cancelled.lookup_id, 'cancelled'],
    ]);
    expect((hooks[3]!.body.data as { object: Record<string, unknown> }).object.failure_code).toBe('insufficient_funds');
    expect(hooks.every((h) => verifySignature(h.headers['turnstay-signature'] as string, h.raw, SECRET))).toBe(true);
    expect(new Set(hooks.map((h) => h.body.id)).size).toBe(5);
  });
});

describe('TurnStay webhook retries', () => {
  it('retries a failing receiver with exponential backoff until it answers 2xx, with the same event and body', async () => {
    await receiver.close();
    receiver = await startReceiver((n) => (n <= 2 ? [500, 503][n - 1]! : 200));
    sandbox.setWebhookUrl(receiver.url);
    await payFrictionless();
    const hooks = await receiver.waitFor(3);
    await pause(BASE_DELAY * 6);
    expect(receiver.received).toHaveLength(3);
    expect(hooks.map((h) => h.answered)).toEqual([500, 503, 200]);
    expect(new Set(hooks.map((h) => h.raw)).size).toBe(1);
    expect(hooks.map((h) => h.headers['x-sandbox-delivery-attempt'])).toEqual(['1', '2', '3']);
    expect(hooks.every((h) => verifySignature(h.headers['turnstay-signature'] as string, h.raw, SECRET))).toBe(true);
    const gap1 = hooks[1]!.at - hooks[0]!.at;
    const gap2 = hooks[2]!.at - hooks[1]!.at;
    expect(gap1).toBeGreaterThanOrEqual(BASE_DELAY - 5);
    expect(gap2).toBeGreaterThanOrEqual(2 * BASE_DELAY - 5);
    const log = await deliveryLog();
    expect(log.deliveries).toEqual([expect.objectContaining({ eventType: 'merchant_of_record.payment_intent.succeeded', attempts: 3, lastStatus: 200, state: 'delivered' })]);
  });

  it('gives up after maxAttempts and reports it in the delivery log', async () => {
    await receiver.close();
    receiver = await startReceiver(() => 500);
    sandbox.setWebhookUrl(receiver.url);
    await payFrictionless();
    await receiver.waitFor(4, 3000);
    const log = await waitUntil('the delivery given up', async () => {
      const current = await deliveryLog();
      return current.deliveries[0]?.state === 'failed' ? current : undefined;
    }, 5000, 20);
    expect(log.deliveries[0]).toMatchObject({ attempts: 4, lastStatus: 500, state: 'failed' });
    await pause(BASE_DELAY * 10);
    expect(receiver.received).toHaveLength(4);
  });

  it('retries connection errors, following a webhook URL changed in between', async () => {
    const dead = await startReceiver();
    const deadUrl = dead.url;
    await dead.close();
    sandbox.setWebhookUrl(deadUrl);
    await payFrictionless();
    const failed = await waitUntil('a failed delivery attempt', async () => {
      const current = await deliveryLog();
      return current.deliveries[0] && current.deliveries[0].attempts >= 1 ? current : undefined;
    }, 5000, 20);
    expect(failed.deliveries[0]!.lastStatus).toBeNull();
    expect(failed.deliveries[0]!.lastError).toBeTruthy();
    sandbox.setWebhookUrl(receiver.url);
    const [hook] = await receiver.waitFor(1);
    expect(hook!.body.type).toBe('merchant_of_record.payment_intent.succeeded');
    const log = await deliveryLog();
    expect(log.deliveries[0]!.state).toBe('delivered');
    expect(log.deliveries[0]!.attempts).toBeGreaterThanOrEqual(2);
  });

  it('takes several webhook URLs in turn, as a load balancer in front of several APIs would', async () => {
    const other = await startReceiver();
    try {
      sandbox.setWebhookUrl([receiver.url, other.url]);
      for (let payment = 0; payment < 4; payment += 1) await payFrictionless();
      const [first, second] = await Promise.all([receiver.waitFor(2), other.waitFor(2)]);
      expect([first.length, second.length, receiver.received.length + other.received.length]).toEqual([2, 2, 4]);
    } finally {
      await other.close();
    }
  });
});

describe('TurnStay webhook switches', () => {
  it('drops deliveries in mode "drop"', async () => {
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'drop' });
    await payFrictionless();
    await pause(200);
    expect(receiver.received).toHaveLength(0);
    expect((await deliveryLog()).deliveries).toEqual([expect.objectContaining({ state: 'dropped', attempts: 0 })]);
  });

  it('delivers every event twice in mode "duplicate"', async () => {
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'duplicate' });
    await payFrictionless();
    const hooks = await receiver.waitFor(2);
    await pause(100);
    expect(receiver.received).toHaveLength(2);
    expect(hooks[0]!.body.id).toBe(hooks[1]!.body.id);
    expect(hooks[0]!.raw).toBe(hooks[1]!.raw);
    expect((await deliveryLog()).deliveries.map((d) => d.duplicate)).toEqual([false, true]);
  });

  it('delays deliveries in mode "delay"', async () => {
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'delay', delayMs: 300 });
    const started = Date.now();
    await payFrictionless();
    await pause(150);
    expect(receiver.received).toHaveLength(0);
    const [hook] = await receiver.waitFor(1);
    expect(hook!.at - started).toBeGreaterThanOrEqual(295);
  });

  it('holds and sends in reverse order in mode "reorder"', async () => {
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'reorder' });
    const intent = await createIntent(sandbox);
    const { scsIntentId, clientSecret } = scsOf(intent);
    await confirm(sandbox, intent, cardFields('4000000000003220'));
    await pause(100);
    expect(receiver.received).toHaveLength(0);
    expect((await deliveryLog()).deliveries.map((d) => d.state)).toEqual(['held']);
    await call(`${sandbox.scsUrl}/challenge/${scsIntentId}/complete?client_secret=${clientSecret}`, { body: { outcome: 'authenticate' } });
    const hooks = await receiver.waitFor(2);
    expect(hooks.map((h: ReceivedWebhook) => h.body.type)).toEqual([
      'merchant_of_record.payment_intent.succeeded',
      'merchant_of_record.transaction.requires_action',
    ]);
  });

  it('releases held deliveries on flush and when the mode changes', async () => {
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'reorder', holdCount: 10 });
    await payFrictionless();
    await payFrictionless();
    await pause(50);
    expect(receiver.received).toHaveLength(0);
    expect((await admin(sandbox.apiUrl, '/webhooks/flush', {})).body).toEqual({ released: 2 });
    await receiver.waitFor(2);
    await payFrictionless();
    await pause(50);
    expect(receiver.received).toHaveLength(2);
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'deliver' });
    await receiver.waitFor(3);
  });

  it('validates the switch body and resets to "deliver"', async () => {
    const bad = await call(`${sandbox.apiUrl}/__sandbox/webhooks`, { body: { mode: 'explode' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('mode');
    await admin(sandbox.apiUrl, '/webhooks', { mode: 'drop' });
    await admin(sandbox.apiUrl, '/reset', {});
    expect((await deliveryLog()).mode).toEqual({ mode: 'deliver' });
    await payFrictionless();
    await receiver.waitFor(1);
  });
});
