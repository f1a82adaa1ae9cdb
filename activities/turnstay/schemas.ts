import { z } from 'zod';

/** TurnStay wire formats (../shared/providers/turnstay-s2s.txt, NOTES.md; undocumented parts per sandbox/README.md). */
export const nextActionSchema = z.object({ type: z.string(), url: z.string().url() });

export const intentStatusNameSchema = z.enum([
  'INITIALIZED', 'REQUIRES_ACTION', 'PROCESSING', 'PROCESSED', 'FAILED', 'CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED',
]);

export const createIntentResponseSchema = z.object({
  lookup_id: z.string().min(1),
  status: z.object({ name: intentStatusNameSchema }),
  next_actions: z.array(nextActionSchema),
});

export const confirmResponseSchema = z.object({
  lookup_id: z.string().min(1),
  status: z.object({ name: intentStatusNameSchema }),
  next_actions: z.array(nextActionSchema).default([]),
  failure_code: z.string().nullish(),
});

const cardSummarySchema = z.object({
  brand: z.enum(['visa', 'mastercard', 'amex', 'discover', 'unknown']).catch('unknown'),
  last4: z.string().regex(/^\d{4}$/),
});

export const intentResponseSchema = z.object({
  lookup_id: z.string().min(1),
  status: z.object({ name: intentStatusNameSchema }),
  failure_code: z.string().nullish(),
  amount_refunded: z.number().int().nonnegative().nullish(),
  card: cardSummarySchema.nullish().catch(undefined),
});

/** The sandbox's listing (an extension: TurnStay documents none). */
export const intentListResponseSchema = z.object({
  data: z.array(intentResponseSchema.extend({ merchant_reference: z.string().nullish(), billing_amount: z.number().int(), billing_currency: z.string() })),
});

export const declineResponseSchema = z.object({
  detail: z.string(),
  decline_code: z.string().optional(),
});

export const errorResponseSchema = z.object({ detail: z.string() });

export const refundResponseSchema = z.object({
  id: z.union([z.string(), z.number()]),
  billing_amount: z.number().int().positive(),
  status: z.enum(['INITIALIZED', 'APPLIED', 'COMPLETED', 'PENDING', 'FAILED']),
});

/** `POST /api/v1/refund/check-existing`: the intent's refunds. */
export const existingRefundsResponseSchema = z.array(
  z.object({
    id: z.union([z.string(), z.number()]),
    billing_amount: z.number().int().positive(),
    status: refundResponseSchema.shape.status,
    idempotency_key: z.string().nullish(),
  }),
);

export const tokenizeResponseSchema = z.object({
  payment_method_token: z.string().min(1),
  card: z.object({ brand: z.string(), last4: z.string() }).optional(),
});

export const tokenIntentResponseSchema = z.object({
  lookup_id: z.string().min(1),
  confirm_endpoint_url: z.string().url(),
  next_actions: z.array(nextActionSchema).default([]),
});

/** `GET /api/v1/payment_method_token_intent/{lookup_id}` (sandbox extension, see sandbox/README.md). */
export const tokenIntentStatusSchema = z.object({
  lookup_id: z.string().min(1),
  status: z.object({ name: z.enum(['INITIALIZED', 'PROCESSED']) }),
  payment_method_token: z.string().min(1).nullish(),
  card: cardSummarySchema.nullish().catch(undefined),
});
