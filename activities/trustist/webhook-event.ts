import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Trustist merchant webhook (NOTES.md: api.trustistecommerce.com/docs/PaymentWebhooks). It is unsigned and has
 * no event id, so it is only a hint: the workflow confirms with the authenticated status endpoint.
 */
export const trustistWebhookEventSchema = z.object({
  paymentId: z.string().min(1).max(200),
  reference: z.string().min(1).max(200),
  status: z.string().min(1).max(50),
  eventType: z.string().min(1).max(100),
  created: z.union([z.string(), z.number()]).optional(),
});

export type TrustistWebhookEvent = z.infer<typeof trustistWebhookEventSchema>;

/** A stable id for deduplication: the same delivery repeated gives the same id. */
export function trustistEventId(event: TrustistWebhookEvent): string {
  const digest = createHash('sha256').update(`${event.paymentId}|${event.eventType}|${event.status}|${event.created ?? ''}`).digest('hex');
  return `trustist-${digest.slice(0, 32)}`;
}
