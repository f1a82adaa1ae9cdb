import type { Server } from 'node:http';
import { hashApiKey } from '../../api/key-hash';
import { startApiWithoutTemporal } from '../support/api-without-temporal';
import { testApiProviders } from '../support/api-providers';
import { signTurnstayPayload } from '../../activities/turnstay/webhook-signature';
import { BROWSER_DATA, testCard, TEST_CARDS } from '../support/test-cards';

const MERCHANT_KEY = 'mk_route_validation_0123456789';
const OPERATOR_KEY = 'ok_route_validation_0123456789';
const TURNSTAY_SECRET = 'whsec_route_validation';
const TRUSTIST_PATH_SECRET = 'route-validation-path-secret-0123';
const DAY_MS = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();

/**
 * Every route answers input it cannot accept with a 400 JSON body naming the field, before anything reaches
 * Temporal: the API here has no Temporal client at all, so a request that got past validation would be a 500.
 */
describe('bad input on every route: 400 naming the field', () => {
  let baseUrl: string;
  let server: Server;

  beforeAll(async () => {
    ({ baseUrl, server } = await startApiWithoutTemporal({
      merchantKeys: [{ merchantId: 'merchant1', keySha256: hashApiKey(MERCHANT_KEY) }],
      operatorKeyHashes: [hashApiKey(OPERATOR_KEY)],
      providers: testApiProviders({ turnstayWebhookSecret: TURNSTAY_SECRET, trustistWebhookPathSecret: TRUSTIST_PATH_SECRET }),
    }));
  });
  afterAll(() => new Promise((done) => server.close(done)));

  const payment = (overrides: Record<string, unknown> = {}) => ({
    provider: 'turnstay',
    amountMinor: 12_345,
    currency: 'GBP',
    reference: 'order-validation',
    card: testCard(TEST_CARDS.frictionless),
    browserData: BROWSER_DATA,
    ...overrides,
  });
  const reservation = (overrides: Record<string, unknown> = {}) => ({
    ...payment({ reference: 'stay-validation' }),
    stay: { checkinAt: inDays(10), checkoutAt: inDays(12) },
    policy: { kind: 'on_checkin' },
    ...overrides,
  });
  const turnstayEvent = JSON.stringify({ id: 'evt_1', object: 'event', type: 'x', data: { object: { status: 7 } } });

  type Case = [name: string, method: string, path: string, options: { body?: unknown; raw?: string; headers?: Record<string, string> }, field: string];
  const paymentId = 'payment-merchant1-order-validation';
  const reservationId = 'reservation-merchant1-stay-validation';
  const merchant = { authorization: `Bearer ${MERCHANT_KEY}` };
  const cases: Case[] = [
    ['create payment: amount not an integer', 'POST', '/v1/payments', { body: payment({ amountMinor: 1.5 }), headers: merchant }, 'amountMinor'],
    ['create payment: an unknown field', 'POST', '/v1/payments', { body: payment({ surprise: true }), headers: merchant }, 'surprise'],
    ['create payment: Idempotency-Key too long', 'POST', '/v1/payments', { body: payment(), headers: { ...merchant, 'idempotency-key': 'k'.repeat(300) } }, 'Idempotency-Key'],
    ['create payment: body not JSON', 'POST', '/v1/payments', { raw: '{"provider":', headers: merchant }, 'body'],
    ['list payments: limit 0', 'GET', '/v1/payments?limit=0', { headers: merchant }, 'limit'],
    ['list payments: an unknown parameter', 'GET', '/v1/payments?colour=red', { headers: merchant }, 'colour'],
    ['read payment: not a payment id', 'GET', '/v1/payments/order-1', { headers: merchant }, 'id'],
    ['challenge-complete: unknown outcome', 'POST', `/v1/payments/${paymentId}/challenge-complete`, { body: { outcome: 'maybe' }, headers: merchant }, 'outcome'],
    ['cancel payment: empty reason', 'POST', `/v1/payments/${paymentId}/cancel`, { body: { reason: ' ' }, headers: merchant }, 'reason'],
    ['refund: negative amount', 'POST', `/v1/payments/${paymentId}/refund`, { body: { amountMinor: -5 }, headers: merchant }, 'amountMinor'],
    ['create reservation: check-in not a date', 'POST', '/v1/reservations', { body: reservation({ stay: { checkinAt: 'soon', checkoutAt: inDays(12) } }), headers: merchant }, 'stay.checkinAt'],
    ['create reservation: check-out before check-in', 'POST', '/v1/reservations', { body: reservation({ stay: { checkinAt: inDays(12), checkoutAt: inDays(10) } }), headers: merchant }, 'stay.checkoutAt'],
    ['read reservation: not a reservation id', 'GET', `/v1/reservations/${paymentId}`, { headers: merchant }, 'id'],
    ['change-stay: check-out before check-in', 'POST', `/v1/reservations/${reservationId}/change-stay`, { body: { checkinAt: inDays(20), checkoutAt: inDays(10) }, headers: merchant }, 'checkoutAt'],
    ['change-stay: check-in in the past', 'POST', `/v1/reservations/${reservationId}/change-stay`, { body: { checkinAt: inDays(-2), checkoutAt: inDays(10) }, headers: merchant }, 'checkinAt'],
    ['change-stay: check-in not a date', 'POST', `/v1/reservations/${reservationId}/change-stay`, { body: { checkinAt: 'tomorrow', checkoutAt: inDays(10) }, headers: merchant }, 'checkinAt'],
    ['change-amount: zero', 'POST', `/v1/reservations/${reservationId}/change-amount`, { body: { amountMinor: 0 }, headers: merchant }, 'amountMinor'],
    ['cancel reservation: reason a number', 'POST', `/v1/reservations/${reservationId}/cancel`, { body: { reason: 7 }, headers: merchant }, 'reason'],
    ['list events: cursor not a number', 'GET', '/v1/events?after=yesterday', { headers: merchant }, 'after'],
    ['list events: limit over 500', 'GET', '/v1/events?limit=501', { headers: merchant }, 'limit'],
    ['list events: an unknown parameter', 'GET', '/v1/events?type=payment.completed', { headers: merchant }, 'type'],
    ['redeliver event: not an event id', 'POST', '/v1/events/payment-merchant1-x/redeliver', { body: {}, headers: merchant }, 'id'],
    ['operator login: no key', 'POST', '/ops/login', { raw: 'user=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'key'],
    ['codec: payloads not a list', 'POST', '/codec/decode', { body: { payloads: 'x' }, headers: { authorization: `Bearer ${OPERATOR_KEY}` } }, 'payloads'],
    ['TurnStay webhook: signed but malformed', 'POST', '/webhooks/turnstay', { raw: turnstayEvent, headers: { 'turnstay-signature': signTurnstayPayload(turnstayEvent, TURNSTAY_SECRET) } }, 'created_at'],
    ['Trustist webhook: paymentId a number', 'POST', `/webhooks/trustist/${TRUSTIST_PATH_SECRET}`, { body: { paymentId: 1, reference: 'r', status: 's', eventType: 'e' } }, 'paymentId'],
  ];

  test.each(cases)('%s', async (_name, method, path, options, field) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...options.headers },
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const body = (await response.json()) as { error: { code: string; field?: string; message: string } };
    expect({ status: response.status, field: body.error.field }).toEqual({ status: 400, field });
    expect(body.error.message).toContain(field);
  });
});
