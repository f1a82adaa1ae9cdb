import { createHash, randomUUID } from 'node:crypto';

/**
 * The id of a refund request. With an Idempotency-Key it is derived from the key (and the payment, since keys are
 * the merchant's own), so every retry of the request, through any API process, names the same refund and the
 * provider sees the same key; without one, each request is a refund of its own.
 */
export function refundIdFor(paymentId: string, idempotencyKey: string | undefined): string {
  const source = idempotencyKey === undefined ? randomUUID() : `${paymentId}\n${idempotencyKey}`;
  return `re_${createHash('sha256').update(source).digest('hex').slice(0, 32)}`;
}

/** What makes a refund request itself: the same key with another fingerprint is an idempotency conflict. */
export function refundRequestFingerprint(body: { amountMinor?: number; reason: string }): string {
  return createHash('sha256').update(JSON.stringify({ amountMinor: body.amountMinor ?? null, reason: body.reason })).digest('hex');
}
