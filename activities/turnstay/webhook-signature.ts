import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignatureVerdict = { valid: true; timestamp: number } | { valid: false; reason: 'missing' | 'malformed' | 'stale' | 'mismatch' };

/**
 * `Turnstay-Signature: t=<unix>,v1=<hex>[,v1=<hex>]`, v1 = HMAC-SHA256(secret, "<t>.<raw body>") as TurnStay's
 * webhook SDK computes it. Several v1 values and several secrets are accepted, so secrets can rotate.
 */
export function verifyTurnstaySignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: string[],
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureVerdict {
  if (!header) return { valid: false, reason: 'missing' };
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key, value]) => key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)).map(([, value]) => value as string);
  if (!Number.isInteger(timestamp) || signatures.length === 0) return { valid: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return { valid: false, reason: 'stale' };
  const signedPayload = Buffer.concat([Buffer.from(`${timestamp}.`), rawBody]);
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(signedPayload).digest();
    if (signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected))) return { valid: true, timestamp };
  }
  return { valid: false, reason: 'mismatch' };
}

export function signTurnstayPayload(rawBody: string, secret: string, timestamp = Math.floor(Date.now() / 1000)): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
  return `t=${timestamp},v1=${signature}`;
}
