import { randomUUID } from 'node:crypto';
import { BROWSER_DATA, testCard, TEST_CARDS } from './test-cards';
import { MERCHANT_KEY } from './api-stack';
import { waitUntil } from './wait-until';

export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface PaymentBody {
  id: string;
  status: string;
  provider: string;
  reference: string;
  amountMinor: number;
  currency: string;
  card: { brand: string; last4: string };
  providerPaymentId?: string;
  nextAction?: { type: string; url: string };
  failure?: { code: string; message: string };
  refundedMinor: number;
  transitions: { status: string; at: string; note?: string }[];
}

/** A merchant's HTTP calls, as a merchant's engineer would make them. */
export async function callApi<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; key?: string | null; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== null) headers.authorization = `Bearer ${options.key ?? MERCHANT_KEY}`;
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: tests assert on the text.
  }
  return { status: response.status, headers: response.headers, body: body as T };
}

export function paymentBody(provider: 'turnstay' | 'trustist', overrides: Record<string, unknown> = {}) {
  return {
    provider,
    amountMinor: 12_345,
    currency: 'GBP',
    reference: `order-${randomUUID().slice(0, 12)}`,
    description: 'Two nights, double room',
    card: testCard(TEST_CARDS.frictionless),
    payer: { email: 'guest@example.com', phone: '+441234567890' },
    browserData: BROWSER_DATA,
    ...overrides,
  };
}

/** A reservation booking with a frictionless TurnStay card; tests add the stay and the policy they need. */
export function reservationBody(overrides: Record<string, unknown> = {}) {
  return {
    provider: 'turnstay',
    amountMinor: 40_000,
    currency: 'GBP',
    reference: `stay-${randomUUID().slice(0, 12)}`,
    card: testCard(TEST_CARDS.frictionless),
    payer: { email: 'guest@example.com' },
    ...overrides,
  };
}

export function createPayment(baseUrl: string, body: Record<string, unknown>, headers?: Record<string, string>) {
  return callApi<PaymentBody>(baseUrl, 'POST', '/v1/payments', { body, headers });
}

export function getPayment(baseUrl: string, id: string, key?: string) {
  return callApi<PaymentBody>(baseUrl, 'GET', `/v1/payments/${id}`, { key });
}

/** Reads the payment until `accept` holds (the merchant's view of a change that happens later). */
export async function waitForPayment(baseUrl: string, id: string, accept: (payment: PaymentBody) => boolean, timeoutMs = 30_000): Promise<PaymentBody> {
  let last: PaymentBody | undefined;
  return waitUntil(() => `payment ${id} in the expected state; last: ${JSON.stringify(last)}`, async () => {
    const response = await getPayment(baseUrl, id);
    last = response.body;
    return response.status === 200 && accept(last) ? last : undefined;
  }, timeoutMs);
}

/** Reads the reservation until `accept` holds; each test file types the reservation fields it reads. */
export async function waitForReservation<T>(baseUrl: string, id: string, accept: (reservation: T) => boolean, timeoutMs = 30_000): Promise<T> {
  let last: T | undefined;
  return waitUntil(() => `reservation ${id} in the expected state; last: ${JSON.stringify(last)}`, async () => {
    const response = await callApi<T>(baseUrl, 'GET', `/v1/reservations/${id}`);
    last = response.body;
    return response.status === 200 && accept(last) ? last : undefined;
  }, timeoutMs, 250);
}

export const isFinal = (payment: PaymentBody) => ['COMPLETE', 'DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED'].includes(payment.status);
