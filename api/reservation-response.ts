import { z } from 'zod';
import { PAYMENT_STATUSES } from '../domain/payment-status';
import { RESERVATION_STATUSES, type ReservationView } from '../workflows/reservation-types';
import { cardSummarySchema, nextActionSchema } from './payment-response';
import { failureSchema } from './refund-response';
import { chargePolicySchema } from './reservation-schemas';

const scheduledChargeSchema = z
  .object({
    id: z.string(),
    label: z.enum(['full', 'deposit', 'balance']),
    amountMinor: z.number().int(),
    dueAt: z.iso.datetime(),
    status: z.enum(['PENDING', 'PAID', 'FAILED']),
    attempts: z.number().int(),
    retryAt: z.iso.datetime().optional().describe('when the next attempt after a decline is due (dunning)'),
    paymentIds: z.array(z.string()).describe('the payments of this charge, one per attempt'),
    providerPaymentId: z.string().optional(),
    refundedMinor: z.number().int(),
    lastFailure: failureSchema.optional(),
    refundsOwnedByPayment: z.boolean().optional(),
    payment: z.object({ status: z.enum(PAYMENT_STATUSES), cancelRefundSettled: z.boolean() }).strict().optional(),
    scheduled: z
      .object({ paymentId: z.string(), at: z.iso.datetime(), amountMinor: z.number().int() })
      .strict()
      .optional()
      .describe('the payment created ahead for the next attempt: its start is delayed until `at`, when it charges'),
    supersededPaymentIds: z.array(z.string()).optional().describe('payments scheduled ahead and superseded by a change or cancellation before they ran; none charged'),
  })
  .strict();

/** The merchant-facing shape of a reservation (the provider token never leaves the workflow). */
export const reservationResponseSchema = z
  .object({
    id: z.string(),
    merchantId: z.string(),
    reference: z.string(),
    provider: z.string().describe('a registered provider name'),
    currency: z.string(),
    status: z.enum(RESERVATION_STATUSES),
    amountMinor: z.number().int(),
    stay: z.object({ checkinAt: z.string(), checkoutAt: z.string() }).strict(),
    policy: chargePolicySchema,
    charges: z.array(scheduledChargeSchema),
    card: cardSummarySchema.optional(),
    nextAction: nextActionSchema.optional(),
    failure: failureSchema.optional(),
    transitions: z.array(z.object({ status: z.enum(RESERVATION_STATUSES), at: z.iso.datetime(), note: z.string().optional() }).strict()),
    eventSequence: z.number().int().optional(),
    nextChargeAt: z.iso.datetime().optional(),
    paidMinor: z.number().int(),
    refundedMinor: z.number().int(),
    refundPending: z.boolean().describe('a cancellation\'s refund is not confirmed yet: the reservation turns REFUNDED when it is'),
  })
  .strict()
  .meta({ id: 'Reservation' });
export type ReservationResponse = z.infer<typeof reservationResponseSchema>;

export function toReservationResponse(view: ReservationView): ReservationResponse {
  const { paymentMethodToken: _token, reservationId, ...rest } = view;
  return { id: reservationId, ...rest };
}
