import { z } from 'zod';
import { toInstant } from '../workflows/charge-plan';
import { chargeFields, checkCardMethod, providerNamed, type CreatePaymentRules } from './payment-schemas';

const dateOrDateTime = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'must be a date (YYYY-MM-DD) or an ISO date-time' });

export const chargePolicySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('charge_now') }).strict(),
  z.object({ kind: z.literal('days_before_checkin'), days: z.number().int().min(0).max(365) }).strict(),
  z.object({ kind: z.literal('on_checkin') }).strict(),
  z.object({ kind: z.literal('deposit_then_balance'), depositMinor: z.number().int().positive(), balanceDaysBeforeCheckin: z.number().int().min(0).max(365) }).strict(),
]);

export const staySchema = z.object({ checkinAt: dateOrDateTime, checkoutAt: dateOrDateTime }).strict();

export function createReservationBodySchema(rules: CreatePaymentRules) {
  return z
    .object({
      ...chargeFields(rules),
      stay: staySchema,
      policy: chargePolicySchema,
      refundableOnCancel: z.boolean().default(true),
      dunning: z.object({ delaysSeconds: z.array(z.number().int().positive()).max(10) }).strict().optional(),
    })
    .strict()
    .superRefine((body, context) => {
      checkCardMethod(rules, body, context);
      const provider = providerNamed(rules, body.provider);
      const checkin = toInstant(body.stay.checkinAt);
      const checkout = toInstant(body.stay.checkoutAt);
      if (checkout <= checkin) context.addIssue({ code: 'custom', path: ['stay', 'checkoutAt'], message: 'must be after checkinAt' });
      if (checkin < Date.now() - 86_400_000) context.addIssue({ code: 'custom', path: ['stay', 'checkinAt'], message: 'must not be in the past' });
      if (provider && !provider.capabilities.cardOnFile && body.policy.kind !== 'charge_now') {
        context.addIssue({ code: 'custom', path: ['policy', 'kind'], message: `${provider.label} cannot keep a card on file, so a ${provider.label} reservation must use charge_now` });
      }
      if (provider?.capabilities.payerDeviceRequired && !body.browserData) context.addIssue({ code: 'custom', path: ['browserData'], message: `is required for ${provider.label} (3-D Secure)` });
      if (body.policy.kind === 'deposit_then_balance' && body.policy.depositMinor >= body.amountMinor) {
        context.addIssue({ code: 'custom', path: ['policy', 'depositMinor'], message: 'must be less than amountMinor' });
      }
      if (body.policy.kind === 'days_before_checkin' && checkin - body.policy.days * 86_400_000 < Date.now()) {
        context.addIssue({ code: 'custom', path: ['policy', 'days'], message: 'the charge date would be in the past; use charge_now' });
      }
    });
}

export type CreateReservationBody = z.infer<ReturnType<typeof createReservationBodySchema>>;

/** A stay change the API can judge alone: dates in order, check-in not past. What depends on the plan is the workflow's call. */
export const changeStayBodySchema = staySchema.superRefine((stay, context) => {
  const checkin = toInstant(stay.checkinAt);
  if (toInstant(stay.checkoutAt) <= checkin) context.addIssue({ code: 'custom', path: ['checkoutAt'], message: 'must be after checkinAt' });
  if (checkin < Date.now()) context.addIssue({ code: 'custom', path: ['checkinAt'], message: 'must not be in the past' });
});
export const changeAmountBodySchema = z.object({ amountMinor: z.number().int().positive() }).strict();
