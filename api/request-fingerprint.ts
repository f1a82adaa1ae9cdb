import { createHash } from 'node:crypto';
import { summarizeCard } from '../domain/card';
import type { CardDetails } from '../domain/card';

/**
 * A digest of what makes a payment request itself: same key and same fingerprint is a replay, same key and a
 * different one a conflict. The card enters only as brand and last four (a hash of a PAN is card data too); a hosted
 * form's request has none.
 */
export function requestFingerprint(body: { card?: CardDetails; browserData?: unknown }, idempotencyKey: string | undefined): string {
  const { card, browserData: _browserData, ...rest } = body;
  const canonical = JSON.stringify({ ...sortKeys(rest), card: card ? summarizeCard(card) : null, idempotencyKey: idempotencyKey ?? null });
  return createHash('sha256').update(canonical).digest('hex');
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) =>
    [key, inner && typeof inner === 'object' && !Array.isArray(inner) ? sortKeys(inner as Record<string, unknown>) : inner]));
}
