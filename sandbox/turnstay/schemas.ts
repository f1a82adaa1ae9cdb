import { z } from 'zod';

/** Request bodies of the TurnStay sandbox (field names as TurnStay documents them). */

const optionalText = (max: number) => z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`).nullish();
const optionalUrl = z.url({ error: 'must be an absolute URL' }).nullish();
const isoDate = z.iso.date({ error: 'must be a date in YYYY-MM-DD format' });

export const createIntentSchema = z.object({
  account_id: z.int({ error: 'must be an integer' }).positive('must be a positive integer'),
  billing_amount: z.int({ error: 'must be an integer amount in minor units' }).positive('must be a positive integer amount in minor units'),
  billing_currency: z.string({ error: 'must be a string' }).regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as GBP'),
  checkin_date: isoDate,
  checkout_date: isoDate.nullish(),
  merchant_reference: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(255, 'must be at most 255 characters').nullish(),
  customer_email: z.email({ error: 'must be an email address' }).nullish(),
  customer_phone_number: z.string({ error: 'must be a string' }).regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +447700900123').nullish(),
  callback_url: optionalUrl,
  success_redirect_url: optionalUrl,
  failed_redirect_url: optionalUrl,
  payment_type: z.enum(['Card Payment', 'Virtual Card'], { error: 'must be "Card Payment" or "Virtual Card"' }).nullish(),
  description: optionalText(1000),
});
export type CreateIntentBody = z.infer<typeof createIntentSchema>;

export const cardFieldsSchema = z.object({
  cardholder_name: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  card_number: z.string({ error: 'must be a string of digits' }),
  expiry_month: z.int({ error: 'must be an integer 1-12' }).min(1, 'must be an integer 1-12').max(12, 'must be an integer 1-12'),
  expiry_year: z.int({ error: 'must be a 4-digit year' }).min(1000, 'must be a 4-digit year').max(9999, 'must be a 4-digit year'),
  cvc: z.string({ error: 'must be a string of 3 or 4 digits' }).regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
  customer_email: z.email({ error: 'must be an email address' }).nullish(),
  customer_phone_number: z.string({ error: 'must be a string' }).regex(/^\+[1-9]\d{6,14}$/, 'must be in international format, e.g. +447700900123').nullish(),
});
export type CardFields = z.infer<typeof cardFieldsSchema>;

export const tokenConfirmSchema = z.object({
  payment_method_token: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  customer_email: z.email({ error: 'must be an email address' }).nullish(),
  customer_phone_number: z.string({ error: 'must be a string' }).nullish(),
});

export const tokenIntentSchema = z.object({
  account_id: z.int({ error: 'must be an integer' }).positive('must be a positive integer'),
  payment_type: z.literal('Tokenization', { error: 'must be "Tokenization"' }),
  customer_email: z.email({ error: 'must be an email address' }).nullish(),
});

export const refundSchema = z.object({
  payment_intent_id: z.string({ error: 'must be the payment intent lookup_id (pi_...)' }).min(1, 'must not be empty'),
  billing_amount: z.int({ error: 'must be an integer amount in minor units' }).positive('must be a positive integer amount in minor units'),
  reason: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
  idempotency_key: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(255, 'must be at most 255 characters').nullish(),
});

export const checkExistingRefundSchema = z.object({
  payment_intent_id: z.string({ error: 'must be the payment intent lookup_id (pi_...)' }).min(1, 'must not be empty'),
});

export const challengeCompleteSchema = z.object({
  outcome: z.enum(['authenticate', 'fail'], { error: 'must be "authenticate" or "fail"' }),
});
