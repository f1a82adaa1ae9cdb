import { startTrustistSandbox, startTurnstaySandbox, type RunningTrustistSandbox, type RunningTurnstaySandbox } from '../../sandbox';
import { admin, call, ledgerOf, silentLogger } from './support/helpers';
import { AUTH, cardFields, confirm, confirmUrl, createIntent, getIntent, intentBody, type Intent } from './support/turnstay';
import { pay, s2sBody } from './support/trustist';

let turnstay: RunningTurnstaySandbox;
let trustist: RunningTrustistSandbox;

beforeAll(async () => {
  [turnstay, trustist] = await Promise.all([
    startTurnstaySandbox({ logger: silentLogger() }),
    startTrustistSandbox({ logger: silentLogger() }),
  ]);
});
afterAll(() => Promise.all([turnstay.close(), trustist.close()]));
beforeEach(async () => {
  await Promise.all([admin(turnstay.apiUrl, '/reset', {}), admin(trustist.apiUrl, '/reset', {})]);
});

/** The error a fetch sees when the server destroys the socket or never answers. */
async function transportError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `${(error as Error).name}: ${(error as Error).message} ${cause?.code ?? ''} ${cause?.message ?? ''}`;
  }
  throw new Error('expected the request to fail at the transport level');
}

interface RequestLogBody {
  requests: { method: string; path: string; status: number | null; at: string; server: string }[];
}
const requestsOf = async (url: string) => (await call<RequestLogBody>(`${url}/__sandbox/requests`)).body.requests;

describe('faults by request header X-Sandbox-Fault', () => {
  it('answers the given status before processing: nothing is charged', async () => {
    const body = s2sBody('4242424242424242');
    const answer = await pay(trustist, body, { headers: { 'X-Sandbox-Fault': 'status=503' } });
    expect(answer.status).toBe(503);
    expect(typeof answer.body.error).toBe('string');
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toEqual([]);

    const intent = await createIntent(turnstay);
    const ts = await confirm(turnstay, intent, cardFields('4242424242424242'), { 'X-Sandbox-Fault': 'status=502' });
    expect(ts.status).toBe(502);
    expect(typeof ts.body.detail).toBe('string');
    expect((await getIntent(turnstay, intent.lookup_id)).status.name).toBe('INITIALIZED');
  });

  it('holds the socket without answering on "timeout"', async () => {
    const body = s2sBody('4242424242424242');
    const error = await transportError(pay(trustist, body, { headers: { 'X-Sandbox-Fault': 'timeout' }, timeoutMs: 300 }));
    expect(error).toMatch(/Timeout|abort/i);
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toEqual([]);
    const log = await requestsOf(trustist.apiUrl);
    expect(log.at(-1)).toMatchObject({ method: 'POST', path: '/v1/payments/server-to-server', status: null });
  });

  it('destroys the connection on "reset"', async () => {
    const intent = await createIntent(turnstay);
    const error = await transportError(confirm(turnstay, intent, cardFields('4242424242424242'), { 'X-Sandbox-Fault': 'reset' }));
    expect(error).toMatch(/fetch failed|socket|ECONNRESET|closed/i);
    expect(await ledgerOf(turnstay.apiUrl)).toEqual([]);
  });

  it('adds latency, then answers normally', async () => {
    const started = Date.now();
    const answer = await pay(trustist, s2sBody('4242424242424242'), { headers: { 'X-Sandbox-Fault': 'latency=200' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(answer.body.status).toBe('COMPLETE');
  });

  it('loses the response after processing with phase=after: the charge is real and a retry finds it', async () => {
    const body = s2sBody('4242424242424242');
    const lost = await pay(trustist, body, { headers: { 'X-Sandbox-Fault': 'status=500,phase=after' } });
    expect(lost.status).toBe(500);
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toHaveLength(1);
    const retry = await pay(trustist, body);
    expect(retry.body.status).toBe('COMPLETE');
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toHaveLength(1);
  });

  it('replays an Idempotency-Key after a response lost to phase=after', async () => {
    const body = intentBody();
    const headers = { ...AUTH, 'Idempotency-Key': `lost-${Date.now()}` };
    const lost = await call(`${turnstay.apiUrl}/api/v1/payments/intent`, { body, headers: { ...headers, 'X-Sandbox-Fault': 'reset;phase=after' } }).catch(() => 'reset');
    expect(lost).toBe('reset');
    const retry = await call<Intent>(`${turnstay.apiUrl}/api/v1/payments/intent`, { body, headers });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('rejects a malformed header with 400', async () => {
    const answer = await call(`${turnstay.apiUrl}/api/v1/payments/intent`, { body: intentBody(), headers: { ...AUTH, 'X-Sandbox-Fault': 'explode' } });
    expect(answer.status).toBe(400);
    expect(answer.body.detail).toContain('X-Sandbox-Fault');
  });
});

describe('faults by admin call', () => {
  it('failNext fails exactly count matching requests before processing, then lets them through', async () => {
    await admin(trustist.apiUrl, '/faults', { failNext: { count: 2, kind: 'status', status: 502, pathPrefix: '/v1/payments/server-to-server' } });
    const body = s2sBody('4242424242424242');
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await pay(trustist, body)).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toHaveLength(1);
    const current = (await call(`${trustist.apiUrl}/__sandbox/faults`)).body;
    expect(current.failNextRemaining).toBe(0);
  });

  it('failNext with a pathPrefix leaves other paths alone', async () => {
    await admin(turnstay.apiUrl, '/faults', { failNext: { count: 1, kind: 'status', status: 503, pathPrefix: '/api/v1/public/payment/intent' } });
    const intent = await createIntent(turnstay);
    expect((await confirm(turnstay, intent, cardFields('4242424242424242'))).status).toBe(503);
    expect((await confirm(turnstay, intent, cardFields('4242424242424242'))).status).toBe(200);
  });

  it('failNext phase "after" with reset: the SCS charges, the client sees a dropped connection, the retry is not charged again', async () => {
    await admin(turnstay.apiUrl, '/faults', { failNext: { count: 1, kind: 'reset', phase: 'after', pathPrefix: '/api/v1/public' } });
    const intent = await createIntent(turnstay);
    await transportError(call(confirmUrl(turnstay, intent), { body: cardFields('4242424242424242') }));
    expect(await ledgerOf(turnstay.apiUrl, String(intent.merchant_reference))).toHaveLength(1);
    const retry = await confirm(turnstay, intent, cardFields('4242424242424242'));
    expect(retry).toMatchObject({ status: 200, body: { status: { name: 'PROCESSED' } } });
    expect(await ledgerOf(turnstay.apiUrl, String(intent.merchant_reference))).toHaveLength(1);
  });

  it('failNext phase "after" with timeout: the charge happens and the answer never comes', async () => {
    await admin(trustist.apiUrl, '/faults', { failNext: { count: 1, kind: 'timeout', phase: 'after' } });
    const body = s2sBody('4242424242424242');
    await transportError(pay(trustist, body, { timeoutMs: 300 }));
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toHaveLength(1);
    expect((await pay(trustist, body)).body.status).toBe('COMPLETE');
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toHaveLength(1);
  });

  it('applies an error rate with a status (100% and about 50%), and {} clears it', async () => {
    await admin(turnstay.apiUrl, '/faults', { errorRate: 1, errorStatus: 503 });
    const all = await Promise.all(Array.from({ length: 5 }, () => call(`${turnstay.apiUrl}/api/v1/payments/intent/pi_x`, { headers: AUTH })));
    expect(all.map((a) => a.status)).toEqual([503, 503, 503, 503, 503]);
    // admin routes are never faulted
    expect((await call(`${turnstay.apiUrl}/__sandbox/ledger`)).status).toBe(200);

    await admin(turnstay.apiUrl, '/faults', { errorRate: 0.5, errorStatus: 429 });
    const half = await Promise.all(Array.from({ length: 60 }, () => call(`${turnstay.apiUrl}/api/v1/payments/intent/pi_x`, { headers: AUTH })));
    const failed = half.filter((a) => a.status === 429).length;
    expect(failed).toBeGreaterThan(10);
    expect(failed).toBeLessThan(50);
    expect(half.every((a) => a.status === 429 || a.status === 404)).toBe(true);

    await admin(turnstay.apiUrl, '/faults', {});
    expect((await call(`${turnstay.apiUrl}/api/v1/payments/intent/pi_x`, { headers: AUTH })).status).toBe(404);
  });

  it('applies timeout and reset rates, optionally limited to a path prefix', async () => {
    await admin(trustist.apiUrl, '/faults', { timeoutRate: 1, pathPrefix: '/v1/payments/server-to-server' });
    const body = s2sBody('4242424242424242');
    expect(await transportError(pay(trustist, body, { timeoutMs: 250 }))).toMatch(/Timeout|abort/i);
    expect((await call(`${trustist.apiUrl}/challenge?paymentId=3PAYX`)).status).toBe(404);
    await admin(trustist.apiUrl, '/faults', { resetRate: 1 });
    expect(await transportError(pay(trustist, body))).toMatch(/fetch failed|socket|ECONNRESET|closed/i);
    expect(await ledgerOf(trustist.apiUrl, String(body.reference))).toEqual([]);
  });

  it('adds fixed latency from the admin call and from the latencyMs option', async () => {
    await admin(trustist.apiUrl, '/faults', { latencyMs: 150 });
    let started = Date.now();
    expect((await pay(trustist, s2sBody('4242424242424242'))).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);

    const slow = await startTurnstaySandbox({ latencyMs: 400, logger: silentLogger() });
    try {
      started = Date.now();
      await createIntent(slow);
      expect(Date.now() - started).toBeGreaterThanOrEqual(395);
      started = Date.now();
      await call(`${slow.apiUrl}/__sandbox/ledger`);
      expect(Date.now() - started).toBeLessThan(300);
    } finally {
      await slow.close();
    }
  });

  it('validates the fault body and clears faults on reset', async () => {
    for (const bad of [{ errorRate: 2 }, { errorRate: 0.6, timeoutRate: 0.6 }, { failNext: { count: 0, kind: 'status' } }, { surprise: true }]) {
      const answer = await call(`${trustist.apiUrl}/__sandbox/faults`, { body: bad });
      expect(answer.status).toBe(400);
      expect(typeof answer.body.error).toBe('string');
    }
    await admin(trustist.apiUrl, '/faults', { errorRate: 1 });
    await admin(trustist.apiUrl, '/reset', {});
    expect((await pay(trustist, s2sBody('4242424242424242'))).status).toBe(200);
  });
});

describe('request log', () => {
  it('records every provider request (method, path, status, time) and excludes /__sandbox', async () => {
    const intent = await createIntent(turnstay);
    await confirm(turnstay, intent, cardFields('4242424242424242'));
    await call(`${turnstay.apiUrl}/api/v1/payments/intent/pi_missing`, { headers: AUTH });
    await call(`${turnstay.apiUrl}/__sandbox/ledger`);
    const log = await requestsOf(turnstay.apiUrl);
    expect(log.map((r) => [r.server, r.method, r.path.replace(/(pi|scs)_[a-z0-9]+/, '$1_*'), r.status])).toEqual([
      ['api', 'POST', '/api/v1/payments/intent', 200],
      ['scs', 'POST', '/api/v1/public/payment/intent/scs_*/confirm', 200],
      ['api', 'GET', '/api/v1/payments/intent/pi_*', 404],
    ]);
    expect(log.every((r) => !Number.isNaN(Date.parse(r.at)))).toBe(true);
    expect(JSON.stringify(log)).not.toContain('client_secret');
  });
});
