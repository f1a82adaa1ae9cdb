import { z } from 'zod';
import { CARD_BRANDS } from '../domain/card';
import { PAYMENT_STATUSES } from '../domain/payment-status';
import type { PaymentView } from '../workflows/payment-types';
import { failureSchema, refundResponseSchema, toRefundResponse } from './refund-response';

export const cardSummarySchema = z.object({ brand: z.enum(CARD_BRANDS), last4: z.string() }).strict();

export const nextActionSchema = z
  .object({ type: z.literal('redirect'), url: z.string() })
  .strict()
  .describe('PENDING_ACTION: the 3-D Secure challenge, or with method hosted_form the TurnStay Secure Card Service form, to show in an iframe or redirect to');

/** The merchant-facing shape of a payment: the workflow's view without internal fields. */
export const paymentResponseSchema = z
  .object({
    id: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    provider: z.string().describe('a registered provider name'),
    reference: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    card: cardSummarySchema.optional().describe('brand and last four; with method hosted_form absent until the provider reports the card entered'),
    nextAction: nextActionSchema.optional(),
    failure: failureSchema.optional(),
    providerPaymentId: z.string().optional(),
    refundedMinor: z.number().int().describe('sum of SUCCEEDED refunds'),
    refundableMinor: z.number().int().describe('what a new refund may take: the amount less succeeded and pending refunds'),
    refunds: z.array(refundResponseSchema),
    waitingFor: z.string().optional().describe('what the payment waits for now'),
    transitions: z.array(z.object({ status: z.enum(PAYMENT_STATUSES), at: z.iso.datetime(), note: z.string().optional() }).strict()),
  })
  .strict()
  .meta({ id: 'Payment' });
export type PaymentResponse = z.infer<typeof paymentResponseSchema>;

export function toPaymentResponse(view: PaymentView): PaymentResponse {
  return {
    id: view.paymentId,
    status: view.status,
    provider: view.provider,
    reference: view.reference,
    amountMinor: view.amountMinor,
    currency: view.currency,
    card: view.card,
    ...(view.nextAction ? { nextAction: view.nextAction } : {}),
    ...(view.failure ? { failure: view.failure } : {}),
    ...(view.providerPaymentId ? { providerPaymentId: view.providerPaymentId } : {}),
    refundedMinor: view.refundedMinor,
    refundableMinor: view.refundableMinor,
    refunds: view.refunds.map(toRefundResponse),
    ...(view.waitingFor ? { waitingFor: view.waitingFor } : {}),
    transitions: view.transitions,
  };
}

/** One line of `GET /v1/payments`: what visibility (search attributes) knows, eventually consistent on a cluster. */
export const listedPaymentSchema = z
  .object({
    id: z.string(),
    status: z.enum(PAYMENT_STATUSES).optional(),
    provider: z.string().describe('a registered provider name').optional(),
    reference: z.string().optional(),
    amountMinor: z.number().int().optional(),
    currency: z.string().optional(),
    startedAt: z.iso.datetime(),
  })
  .strict();
export const paymentListResponseSchema = z.object({ payments: z.array(listedPaymentSchema) }).strict().meta({ id: 'PaymentList' });
export type PaymentListResponse = z.infer<typeof paymentListResponseSchema>;

export const challengeAcceptedResponseSchema = z.object({ accepted: z.literal(true), id: z.string() }).strict();
