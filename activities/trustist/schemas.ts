import { z } from 'zod';

/** Trustist wire formats (../shared/providers/trustist-s2s.txt, NOTES.md; undocumented parts per sandbox/README.md). */
export const paymentStatusSchema = z.enum([
  'PENDING', 'STARTED', 'PROCESSING', 'AWAITING_CAPTURE', 'COMPLETE', 'FAILED', 'PENDING_ACTION', 'REFUNDED',
]);

export const serverToServerResponseSchema = z.object({
  id: z.string().min(1),
  status: paymentStatusSchema,
  requiredAction: z.object({ type: z.literal('redirect'), url: z.string().url() }).nullable(),
  failureReason: z.string().nullish(),
});

export const paymentResponseSchema = z.object({
  id: z.string().min(1),
  status: paymentStatusSchema,
  /** Ours (the payment ID): checked, because a payment id can come from a webhook, which Trustist does not sign. */
  reference: z.string(),
  failureReason: z.string().nullish(),
  refundedAmount: z.number().nonnegative().nullish(),
});

/** The sandbox's listing (an extension: Trustist documents none). */
export const paymentListResponseSchema = z.object({
  payments: z.array(paymentResponseSchema.extend({ amount: z.number().nonnegative(), currency: z.string() })),
});

export const refundResponseSchema = z.object({
  id: z.string().min(1),
  amount: z.number().positive(),
});

export const errorResponseSchema = z.object({ error: z.string() });
