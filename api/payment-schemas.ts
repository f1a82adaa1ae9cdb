import { z } from 'zod';
import { passesLuhnCheck } from '../domain/card';
import { PAYMENT_STATUSES } from '../domain/payment-status';
import { PROVIDER_NAME_PATTERN, type ApiProvider } from '../activities/provider-module';

/**
 * Request schemas of the merchant API. Messages name the field and the rule, never the value: a card number
 * must not come back in an error body.
 */
export const referenceSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores');

export const cardSchema = z
  .object({
    number: z
      .string()
      .regex(/^\d{12,19}$/, 'must be 12 to 19 digits, no spaces')
      .refine(passesLuhnCheck, 'is not a valid card number'),
    expiryMonth: z.number().int().min(1, 'must be 1 to 12').max(12, 'must be 1 to 12'),
    expiryYear: z.number().int().min(2000, 'must be a 4-digit year').max(2100, 'must be a 4-digit year'),
    cvc: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
    holderName: z.string().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((card, context) => {
    const now = new Date();
    const expired = card.expiryYear < now.getUTCFullYear() || (card.expiryYear === now.getUTCFullYear() && card.expiryMonth < now.getUTCMonth() + 1);
    if (expired) context.addIssue({ code: 'custom', path: ['expiryYear'], message: 'the card has expired' });
  });

export const browserDataSchema = z
  .object({
    browserJavaEnabled: z.boolean(),
    browserJavascriptEnabled: z.boolean(),
    browserLanguage: z.string().min(1).max(35),
    browserColorDepth: z.number().int().positive(),
    browserScreenHeight: z.number().int().positive(),
    browserScreenWidth: z.number().int().positive(),
    browserTZ: z.string().min(1).max(64),
    browserUserAgent: z.string().min(1).max(2048),
    browserAcceptHeader: z.string().min(1).max(2048),
    browserIP: z.union([z.ipv4().meta({ format: 'ipv4' }), z.ipv6().meta({ format: 'ipv6' })]),
    browserJavaEnabledString: z.enum(['true', 'false']),
    challengeWindowSize: z.string().min(1).max(20),
    deviceChannel: z.enum(['Browser', 'Application']),
  })
  .strict();

export const billingAddressSchema = z
  .object({
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    lineOne: z.string().max(200).optional(),
    lineTwo: z.string().max(200).optional(),
    city: z.string().max(100).optional(),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 code').optional(),
    postalCode: z.string().max(20).optional(),
    region: z.string().max(100).optional(),
  })
  .strict();

const isoDate = z.iso.date('must be a date YYYY-MM-DD');

export const amountMinorSchema = z.number().int('must be an integer amount in minor units').positive('must be positive').max(10_000_000_000);
export const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP');
export const payerSchema = z
  .object({
    email: z.email('must be an email address').optional(),
    phone: z.string().regex(/^\+\d{6,15}$/, 'must be in international format, e.g. +441234567890').optional(),
  })
  .strict();

/**
 * How the card reaches the provider: `s2s` (the default), the card in the request, held in memory and sent by the
 * API process; `hosted_form` (TurnStay Option A), no card in the request, the shopper types it on TurnStay's form.
 */
export const PAYMENT_METHODS = ['s2s', 'hosted_form'] as const;
export const paymentMethodSchema = z
  .enum(PAYMENT_METHODS, 'must be "s2s" (card in the request) or "hosted_form" (TurnStay\'s hosted card form)')
  .describe('s2s (default): the card is in this request. hosted_form (TurnStay only, no card): the shopper types the card on TurnStay\'s hosted form at nextAction.url');

/** The providers this API offers, with what each can do: every provider rule below reads them, never a name. */
export interface CreatePaymentRules {
  providers: readonly ApiProvider[];
}

/** The `provider` field: one of the registered names. */
export function providerFieldSchema(rules: CreatePaymentRules) {
  const names = rules.providers.map((provider) => provider.name);
  return z.enum(names, `must be one of: ${names.join(', ')}`);
}

export function providerNamed(rules: CreatePaymentRules, name: string): ApiProvider | undefined {
  return rules.providers.find((provider) => provider.name === name);
}

const labelsWith = (rules: CreatePaymentRules, capability: keyof ApiProvider['capabilities']) =>
  rules.providers.filter((provider) => provider.capabilities[capability]).map((provider) => provider.label);

/** The rules a hosted form adds to a payment or reservation request; issues name the field. */
export function checkCardMethod(rules: CreatePaymentRules, body: { provider: string; method?: string; card?: unknown }, context: z.RefinementCtx): void {
  const hostedFormLabels = labelsWith(rules, 'hostedForm');
  if (body.method === 'hosted_form') {
    if (!providerNamed(rules, body.provider)?.capabilities.hostedForm) {
      context.addIssue({ code: 'custom', path: ['method'], message: `hosted_form is offered by ${hostedFormLabels.join(', ') || 'no provider'} only` });
    }
    if (body.card !== undefined) context.addIssue({ code: 'custom', path: ['card'], message: 'must be absent with method hosted_form: the shopper enters the card on the hosted form' });
  } else if (body.card === undefined) {
    const alternative = hostedFormLabels.length ? ` (or use method hosted_form with ${hostedFormLabels.join(' or ')})` : '';
    context.addIssue({ code: 'custom', path: ['card'], message: `is required${alternative}` });
  }
}

/** A provider's own rules for a card payment (currencies, payer device data); issues name the field. */
export function checkProviderRules(provider: ApiProvider, body: { currency: string; browserData?: unknown }, context: z.RefinementCtx): void {
  if (!provider.currencies.codes.includes(body.currency)) context.addIssue({ code: 'custom', path: ['currency'], message: provider.currencies.message });
  if (provider.capabilities.payerDeviceRequired && !body.browserData) {
    context.addIssue({ code: 'custom', path: ['browserData'], message: `is required for ${provider.label} (3-D Secure)` });
  }
}

/** The fields a payment and a reservation's booking share: the provider, the amount, the card or method, the payer. */
export function chargeFields(rules: CreatePaymentRules) {
  return {
    provider: providerFieldSchema(rules),
    amountMinor: amountMinorSchema,
    currency: currencySchema,
    reference: referenceSchema,
    description: z.string().max(200).optional(),
    method: paymentMethodSchema.optional(),
    card: cardSchema.optional(),
    payer: payerSchema.optional(),
    browserData: browserDataSchema.optional(),
    billingAddress: billingAddressSchema.optional(),
  };
}

export function createPaymentBodySchema(rules: CreatePaymentRules) {
  return z
    .object({
      ...chargeFields(rules),
      stay: z.object({ checkinDate: isoDate, checkoutDate: isoDate.optional() }).strict().optional(),
    })
    .strict()
    .superRefine((body, context) => {
      checkCardMethod(rules, body, context);
      const provider = providerNamed(rules, body.provider);
      if (provider) checkProviderRules(provider, body, context);
      if (body.stay?.checkoutDate && body.stay.checkoutDate < body.stay.checkinDate) {
        context.addIssue({ code: 'custom', path: ['stay', 'checkoutDate'], message: 'must not be before checkinDate' });
      }
    });
}

export type CreatePaymentBody = z.infer<ReturnType<typeof createPaymentBodySchema>>;

export const idempotencyKeyHeaderSchema = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters').optional();

export const challengeCompleteBodySchema = z
  .object({ outcome: z.enum(['authenticated', 'failed', 'unknown']).default('unknown') })
  .strict();

export const cancelBodySchema = z.object({ reason: z.string().trim().min(1).max(200).default('cancelled by the merchant') }).strict();

export const refundBodySchema = z
  .object({
    amountMinor: z.number().int('must be an integer amount in minor units').positive('must be positive').optional(),
    reason: z.string().trim().min(1).max(200).default('refund requested by the merchant'),
  })
  .strict();

export const listPaymentsQuerySchema = z
  .object({
    status: z.enum(PAYMENT_STATUSES).optional(),
    /** Checked against the registry by the route; the pattern alone keeps the visibility query closed. */
    provider: z.string().regex(PROVIDER_NAME_PATTERN, 'must be a provider name').optional(),
    reference: referenceSchema.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();
