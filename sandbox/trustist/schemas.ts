import { z } from 'zod';

/** Request bodies of the Trustist sandbox, field by field as the S2S page documents them. */

const str = z.string({ error: 'must be a string' });
const bool = z.boolean({ error: 'must be a boolean' });
const num = z.number({ error: 'must be a number' });

export const cardDetailsSchema = z.object({
  number: str,
  expiryMonth: str,
  expiryYear: str,
  cvc: str,
});

export const browserDataSchema = z.object({
  browserJavaEnabled: bool,
  browserJavascriptEnabled: bool,
  browserLanguage: str,
  browserColorDepth: num,
  browserScreenHeight: num,
  browserScreenWidth: num,
  browserTZ: str,
  browserUserAgent: str,
  browserAcceptHeader: str,
  browserIP: str,
  browserJavaEnabledString: z.enum(['true', 'false'], { error: 'must be "true" or "false"' }),
  challengeWindowSize: str,
  deviceChannel: z.enum(['Browser', 'Application'], { error: 'must be "Browser" or "Application"' }),
});

export const billingAddressSchema = z.object({
  firstName: str.nullish(),
  lastName: str.nullish(),
  lineOne: str.nullish(),
  lineTwo: str.nullish(),
  city: str.nullish(),
  country: str.regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as GB').nullish(),
  postalCode: str.nullish(),
  region: str.nullish(),
});

export const s2sPaymentSchema = z.object({
  amount: num.positive('must be greater than 0').max(1_000_000, 'must be at most 1000000'),
  reference: str.trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  cardDetails: cardDetailsSchema,
  browserData: browserDataSchema,
  description: str.max(500, 'must be at most 500 characters').nullish(),
  customerDetails: str.nullish(),
  payerEmail: z.email({ error: 'must be an email address' }).nullish(),
  billingAddress: billingAddressSchema.nullish(),
  workflow: z
    .object({ mode: str.nullish(), suppressMerchantEmails: bool.nullish(), suppressPayerEmails: bool.nullish() })
    .nullish(),
  partnerId: str.nullish(),
  partnerReference: str.nullish(),
  customerId: str.nullish(),
});
export type S2sPaymentBody = z.infer<typeof s2sPaymentSchema>;

export const refundSchema = z.object({
  amount: num.positive('must be greater than 0'),
  reference: str.trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
});

export const challengeCompleteSchema = z.object({
  outcome: z.enum(['authenticate', 'fail'], { error: 'must be "authenticate" or "fail"' }),
});

/** GBP decimal (at most 2 decimals) to pence, or undefined when it has more precision. */
export function toMinor(amount: number): number | undefined {
  const minor = Math.round(amount * 100);
  return Math.abs(minor - amount * 100) < 1e-6 ? minor : undefined;
}

export const toMajor = (minor: number): number => minor / 100;
