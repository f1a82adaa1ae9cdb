import { temporal } from '@temporalio/proto';
import type { Payload } from '@temporalio/common';
import { merchantEventLogId } from '../../domain/merchant-event';
import { ENCRYPTED_ENCODING } from '../../infra/payload-codec';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi, createPayment, paymentBody, reservationBody, waitForPayment, type PaymentBody } from '../support/merchant-client';
import { completeChallenge, setFaults } from '../support/sandbox-client';
import { cardFieldsIn } from '../support/card-fields';
import { searchServerStore } from '../support/server-store';
import { testCard, TEST_CARDS, TEST_CVC } from '../support/test-cards';

/**
 * Card data never reaches Temporal history, the server's database, logs or error bodies, not even encrypted.
 * Each search has a positive control (something that must be found) so a broken search cannot pass.
 */
describe('card data stays out of every store', () => {
  let stack: ApiStack;
  const payments: PaymentBody[] = [];
  const pans = Object.values(TEST_CARDS);
  // The CVC as it would appear in any JSON or log text; bare digits are too short to search a binary file for.
  const cvcForms = [`"${TEST_CVC}"`, `cvc=${TEST_CVC}`, `cvc: ${TEST_CVC}`];

  beforeAll(async () => {
    stack = await startApiStack({ timing: { challengeTimeoutMs: 60_000, statusPollDelaysMs: [1_000] } });
    for (const provider of ['turnstay', 'trustist'] as const) {
      for (const card of [TEST_CARDS.frictionless, TEST_CARDS.challenge, TEST_CARDS.declined, TEST_CARDS.insufficientFunds]) {
        const response = await createPayment(stack.baseUrl, paymentBody(provider, { card: testCard(card) }));
        expect(response.status).toBe(201);
        payments.push(response.body);
        if (response.body.nextAction) await completeChallenge(response.body.nextAction.url, 'authenticate');
      }
    }
    for (const payment of payments) await waitForPayment(stack.baseUrl, payment.id, (current) => current.status !== 'PENDING_ACTION');
    // Bad requests that carry a real-looking card: their error bodies must not echo it.
  });
  afterAll(() => stack?.close());

  function containsCardData(text: string): string[] {
    return [...pans.filter((pan) => text.includes(pan)), ...cvcForms.filter((form) => text.includes(form))];
  }

  test('event histories: no card data in the raw bytes, nor in any payload once decrypted; payloads are encrypted', async () => {
    for (const payment of payments) {
      const history = await stack.client.workflow.getHandle(payment.id).fetchHistory();
      const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
      expect(containsCardData(raw.toString('latin1'))).toEqual([]);
      expect(raw.toString('latin1')).toContain(payment.id); // positive control: the bytes are the real history

      const payloads = collectPayloads(history).map(({ payload }) => payload);
      expect(payloads.length).toBeGreaterThan(3);
      // Search attributes are never encoded by Temporal (they are indexed); they hold only these non-card fields.
      // Nor are patch markers and TemporalChangeVersion (every payment has a patch since merchant-events): the SDK
      // writes the patch names there; nor a local activity marker's bookkeeping.
      const plain = collectPayloads(history).filter(({ payload }) => Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString() !== ENCRYPTED_ENCODING);
      expect(plain.length).toBeGreaterThan(0);
      for (const { path, payload } of plain) {
        if (path.endsWith('.markerRecordedEventAttributes.details.patch-data.payloads')) {
          expect(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).toMatch(/^\{"id":"[a-z-]+","deprecated":(true|false)\}$/);
          continue;
        }
        // A local activity's marker (merchant events): the SDK's own bookkeeping is plain, its result is encrypted.
        if (path.endsWith('.markerRecordedEventAttributes.details.data.payloads')) {
          expect(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).toMatch(/^\{"seq":\d+,"attempt":\d+,"activity_id":"\d+","activity_type":"\w+","complete_time"/);
          continue;
        }
        expect(path).toMatch(/\.searchAttributes\.indexedFields\.(PaymentStatus|PaymentProvider|MerchantReference|MerchantId|AmountMinor|Currency|TemporalChangeVersion)$/);
      }
      const decoded = await stack.dataConverter.payloadCodecs![0]!.decode(payloads);
      const plaintext = decoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')).join('\n');
      expect(plaintext).toContain(payment.card.last4); // positive control: decryption worked and shows the last four
      expect(containsCardData(plaintext)).toEqual([]);
    }
  });

  test("the merchant's event log (every payment's events): brand and last four only, encrypted", async () => {
    const history = await stack.client.workflow.getHandle(merchantEventLogId('merchant1', stack.taskQueue)).fetchHistory();
    const raw = Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
    expect(containsCardData(raw)).toEqual([]);
    const decoded = await stack.dataConverter.payloadCodecs![0]!.decode(collectPayloads(history).map(({ payload }) => payload));
    const documents = decoded.map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8'));
    const plaintext = documents.join('\n');
    for (const payment of payments) expect(plaintext).toContain(payment.id); // positive control: every payment's event is there
    expect(containsCardData(plaintext)).toEqual([]);
    expect(cardFieldsIn(documents, testCard(TEST_CARDS.frictionless))).toEqual([]);
  });

  test("the server's store holds no card data (SQLite files; or PostgreSQL dumps and data directory files)", () => {
    // Positive control: search attributes and workflow IDs are stored in plain text, so these must be found.
    const store = searchServerStore([...pans, ...cvcForms], [payments[0]!.reference, payments[0]!.id]);
    expect(store.bytes).toBeGreaterThan(10_000);
    expect(store.controlsMissing).toEqual([]);
    expect(store.found).toEqual([]);
  });

  test('API logs hold no card data, and error bodies for bad card requests do not echo it', async () => {
    const badRequests = [
      paymentBody('turnstay', { card: { ...testCard(TEST_CARDS.frictionless), expiryYear: 2001 } }),
      paymentBody('turnstay', { card: { ...testCard(TEST_CARDS.frictionless), cvc: 'abc' } }),
      paymentBody('trustist', { card: testCard(TEST_CARDS.frictionless), currency: 'EUR' }),
      { ...paymentBody('turnstay'), unexpected: TEST_CARDS.frictionless },
    ];
    for (const body of badRequests) {
      const response = await callApi(stack.baseUrl, 'POST', '/v1/payments', { body });
      expect(response.status).toBe(400);
      expect(containsCardData(JSON.stringify(response.body))).toEqual([]);
    }
    const logs = stack.capturedLogs.join('');
    expect(logs).toContain(payments[0]!.id); // positive control: the API did log these payments
    expect(containsCardData(logs)).toEqual([]);
  });

  test("the booking's log line when the card could not be kept on file in the request names the reason, not the card", async () => {
    await setFaults(stack.turnstay.apiUrl, { failNext: { count: 1, kind: 'status', status: 503, pathPrefix: '/api/v1/payment_method_token_intent' } });
    const stayAt = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
    const booked = await callApi<{ id: string; status: string }>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: reservationBody({ stay: { checkinAt: stayAt(30), checkoutAt: stayAt(32) }, policy: { kind: 'on_checkin' } }),
    });
    expect(booked.body.status).toBe('SCHEDULED');
    const fallback = stack.capturedLogs.filter((line) => line.includes('card not kept on file') && line.includes(booked.body.id));
    expect(fallback).toHaveLength(1); // positive control: the line is there, with the provider's reason
    expect(fallback[0]).toMatch(/"reason":"[^"]+"/);
    expect(containsCardData(fallback.join(''))).toEqual([]);
  });
});

/** Every Payload in a history: walks the decoded protobuf objects for `{metadata, data}` shapes. */
function collectPayloads(value: unknown, found: { payload: Payload; path: string }[] = [], seen = new Set<unknown>(), path = ''): { payload: Payload; path: string }[] {
  if (!value || typeof value !== 'object' || seen.has(value) || ArrayBuffer.isView(value)) return found;
  seen.add(value);
  const candidate = value as { metadata?: Record<string, Uint8Array>; data?: Uint8Array };
  if (candidate.metadata && typeof candidate.metadata === 'object' && candidate.data instanceof Uint8Array && candidate.metadata.encoding) {
    found.push({ payload: candidate as Payload, path });
    return found;
  }
  for (const [key, inner] of Object.entries(value)) collectPayloads(inner, found, seen, /^\d+$/.test(key) ? path : `${path}.${key}`);
  return found;
}
