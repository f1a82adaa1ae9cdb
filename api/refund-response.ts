import { z } from 'zod';
import { REFUND_STATUSES, type RefundView } from '../workflows/refund-types';

export const failureSchema = z.object({ code: z.string(), message: z.string() }).strict();

/** The merchant-facing shape of a refund: the same for POST /refund and in the payment's `refunds`. */
export const refundResponseSchema = z
  .object({
    id: z.string().regex(/^re_/).describe("derived from the request's Idempotency-Key; the provider's idempotency key derives from it"),
    paymentId: z.string(),
    status: z.enum(REFUND_STATUSES).describe('PENDING: the provider has not told yet; the payment keeps asking it'),
    amountMinor: z.number().int(),
    currency: z.string(),
    reason: z.string(),
    createdAt: z.iso.datetime(),
    providerRefundId: z.string().optional(),
    failure: failureSchema.optional(),
  })
  .strict()
  .meta({ id: 'RefundObject' });
export type RefundResponse = z.infer<typeof refundResponseSchema>;

export function toRefundResponse(view: RefundView): RefundResponse {
  return {
    id: view.id,
    paymentId: view.paymentId,
    status: view.status,
    amountMinor: view.amountMinor,
    currency: view.currency,
    reason: view.reason,
    createdAt: view.createdAt,
    ...(view.providerRefundId ? { providerRefundId: view.providerRefundId } : {}),
    ...(view.failure ? { failure: view.failure } : {}),
  };
}
