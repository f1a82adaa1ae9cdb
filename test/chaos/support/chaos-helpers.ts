import { randomUUID } from 'node:crypto';
import type { LedgerEntry } from '../../support/sandbox-client';
import { callApi, type ApiResponse, type PaymentBody } from '../../support/merchant-client';
import { BROWSER_DATA, testCard, TEST_CARDS } from '../../support/test-cards';
import { waitUntil } from '../../support/wait-until';

export const FINISHED_PAYMENT = ['COMPLETE', 'DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED'];
export const FINISHED_RESERVATION = ['PAID', 'FAILED', 'CANCELLED', 'REFUNDED', 'COMPLETED'];

export interface SandboxRequest {
  method: string;
  path: string;
  status: number | null;
  at: string;
  server: string;
}

/** The sandbox's own log of provider requests (status null: unanswered, held, or dropped). */
export async function sandboxRequests(sandboxUrl: string): Promise<SandboxRequest[]> {
  const response = await fetch(`${sandboxUrl}/__sandbox/requests`);
  return ((await response.json()) as { requests: SandboxRequest[] }).requests;
}

/** Every money movement the sandbox recorded. */
export async function wholeLedger(sandboxUrl: string): Promise<LedgerEntry[]> {
  const response = await fetch(`${sandboxUrl}/__sandbox/ledger`);
  return ((await response.json()) as { entries: LedgerEntry[] }).entries;
}

export function movementsByReference(entries: LedgerEntry[]): Map<string, { charges: number; refunds: number; refundedMinor: number }> {
  const byReference = new Map<string, { charges: number; refunds: number; refundedMinor: number }>();
  for (const entry of entries) {
    const current = byReference.get(entry.reference) ?? { charges: 0, refunds: 0, refundedMinor: 0 };
    if (entry.type === 'charge') current.charges += 1;
    else {
      current.refunds += 1;
      current.refundedMinor += entry.amountMinor;
    }
    byReference.set(entry.reference, current);
  }
  return byReference;
}

/** The process's readiness probe (worker or API): 200 once it is connected to Temporal and polling its queues. */
export async function isReady(baseUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${baseUrl}/ready`, { signal: AbortSignal.timeout(5_000) })).status === 200;
  } catch {
    return false; // not listening yet, or gone
  }
}

/** Waits until `${baseUrl}/ready` answers 200; `stillRunning` ends the wait early when the process has died. */
export function waitForReady(baseUrl: string, timeoutMs: number, stillRunning: () => boolean = () => true): Promise<true> {
  return waitUntil(
    `${baseUrl}/ready`,
    async () => {
      if (!stillRunning()) throw new Error('the process exited');
      return (await isReady(baseUrl)) ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Waits until the sandbox has received a request matching `accept` that is still unanswered (held by a fault). */
export function waitForHeldRequest(sandboxUrl: string, accept: (request: SandboxRequest) => boolean, alreadySeen = 0, timeoutMs = 20_000) {
  return waitUntil(
    'a held provider request',
    async () => {
      const held = (await sandboxRequests(sandboxUrl)).filter((request) => accept(request) && request.status === null);
      return held.length > alreadySeen ? held : undefined;
    },
    timeoutMs,
    100,
  );
}

export async function setSandboxFaults(sandboxUrl: string, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`faults answered ${response.status}: ${await response.text()}`);
}

/**
 * The shopper finishing the hosted challenge. The hosted pages sit behind the same fault injection as the API,
 * so the completion is retried (it is idempotent) until the sandbox answers.
 */
export async function completeChallengeSurely(challengeUrl: string, outcome: 'authenticate' | 'fail', timeoutMs = 60_000): Promise<void> {
  const url = new URL(challengeUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/complete`;
  await waitUntil(
    'the challenge completion',
    async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outcome }),
        signal: AbortSignal.timeout(3_000),
      });
      return response.ok ? true : undefined;
    },
    timeoutMs,
    250,
  );
}

/** A merchant's payment request for a test card; a fresh reference each time. */
export function chaosPaymentBody(provider: 'turnstay' | 'trustist', card: string = TEST_CARDS.frictionless, amountMinor = 12_345) {
  return {
    provider,
    amountMinor,
    currency: 'GBP',
    reference: `chaos-${randomUUID().slice(0, 18)}`,
    description: 'Chaos test stay',
    card: testCard(card),
    payer: { email: 'guest@example.com' },
    browserData: BROWSER_DATA,
  };
}

/** POST /v1/payments that never throws: a connection dropped by a killed API is an outcome too. */
export async function postPayment(baseUrl: string, body: Record<string, unknown>, headers?: Record<string, string>): Promise<ApiResponse<PaymentBody> | { status: 0; error: string }> {
  try {
    return await callApi<PaymentBody>(baseUrl, 'POST', '/v1/payments', { body, headers });
  } catch (error) {
    return { status: 0, error: String((error as Error & { cause?: unknown }).cause ?? error) };
  }
}

/**
 * The payment a POST answered with, as a merchant reads it: a 202 (no first outcome within PAYMENT_ANSWER_WITHIN_MS,
 * e.g. retries through provider errors) is followed by GET until the payment has its first outcome.
 */
export async function answeredPayment(baseUrl: string, answer: ApiResponse<PaymentBody>, timeoutMs: number): Promise<PaymentBody> {
  if (answer.status !== 202) return answer.body;
  return waitUntil(
    `payment ${answer.body.id} to have its first outcome`,
    async () => {
      const response = await callApi<PaymentBody>(baseUrl, 'GET', `/v1/payments/${answer.body.id}`);
      return response.status === 200 && !['CREATED', 'SUBMITTED'].includes(response.body.status) ? response.body : undefined;
    },
    timeoutMs,
    250,
  );
}

/** Reads a payment as the merchant does until it is finished; returns it with the time it was first seen finished. */
export async function waitForFinishedPayment(baseUrl: string, id: string, timeoutMs: number): Promise<{ payment: PaymentBody; at: number }> {
  return waitUntil(
    `payment ${id} to finish`,
    async () => {
      const response = await callApi<PaymentBody>(baseUrl, 'GET', `/v1/payments/${id}`);
      return response.status === 200 && FINISHED_PAYMENT.includes(response.body.status) ? { payment: response.body, at: Date.now() } : undefined;
    },
    timeoutMs,
    250,
  );
}

export interface ReservationBody {
  id: string;
  status: string;
  charges: { id: string; status: string; paymentIds: string[] }[];
  failure?: { code: string; message: string };
}

export async function waitForReservation(baseUrl: string, id: string, accept: (reservation: ReservationBody) => boolean, timeoutMs: number) {
  return waitUntil(
    `reservation ${id}`,
    async () => {
      const response = await callApi<ReservationBody>(baseUrl, 'GET', `/v1/reservations/${id}`);
      return response.status === 200 && accept(response.body) ? { reservation: response.body, at: Date.now() } : undefined;
    },
    timeoutMs,
    250,
  );
}

export const seconds = (fromMs: number, toMs: number) => Math.round((toMs - fromMs) / 100) / 10;
