import type { RunningTurnstaySandbox } from '../../../sandbox';
import { call, FUTURE_YEAR, type JsonAnswer } from './helpers';

export const API_KEY = 'sk_test_sandbox';
export const AUTH = { authorization: `Bearer ${API_KEY}` };

export interface Intent extends Record<string, unknown> {
  id: number;
  lookup_id: string;
  status: { name: string };
  next_actions: { type: string; url: string }[];
  turnstay_payment_url: string;
}

export function intentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    account_id: 1001,
    billing_amount: 12_345,
    billing_currency: 'GBP',
    checkin_date: '2030-06-01',
    checkout_date: '2030-06-04',
    merchant_reference: `ref-${Math.random().toString(36).slice(2)}`,
    customer_email: 'guest@example.com',
    customer_phone_number: '+447700900123',
    payment_type: 'Virtual Card',
    ...overrides,
  };
}

export async function createIntent(sandbox: RunningTurnstaySandbox, overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Intent> {
  const answer = await call<Intent>(`${sandbox.apiUrl}/api/v1/payments/intent`, { body: intentBody(overrides), headers: { ...AUTH, ...headers } });
  if (answer.status !== 200) throw new Error(`create intent answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** scs_intent_id and client_secret exactly as the S2S doc extracts them: `path.rsplit('/', 1)[-1]`, `client_secret` query. */
export function scsOf(intent: Intent): { scsIntentId: string; clientSecret: string } {
  const url = new URL(intent.next_actions[0]!.url);
  return { scsIntentId: url.pathname.split('/').pop()!, clientSecret: url.searchParams.get('client_secret')! };
}

export function cardFields(number: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cardholder_name: 'John Doe',
    card_number: number,
    expiry_month: 12,
    expiry_year: FUTURE_YEAR,
    cvc: '7391',
    customer_email: 'john.doe@example.com',
    customer_phone_number: '+27123456789',
    ...overrides,
  };
}

export function confirmUrl(sandbox: RunningTurnstaySandbox, intent: Intent, secret?: string): string {
  const { scsIntentId, clientSecret } = scsOf(intent);
  return `${sandbox.scsUrl}/api/v1/public/payment/intent/${scsIntentId}/confirm?client_secret=${secret ?? clientSecret}`;
}

export function confirm(sandbox: RunningTurnstaySandbox, intent: Intent, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  return call(confirmUrl(sandbox, intent), { body, headers });
}

export async function getIntent(sandbox: RunningTurnstaySandbox, lookupId: string): Promise<Record<string, unknown> & { status: { name: string } }> {
  const answer = await call<Record<string, unknown> & { status: { name: string } }>(`${sandbox.apiUrl}/api/v1/payments/intent/${lookupId}`, { headers: AUTH });
  if (answer.status !== 200) throw new Error(`get intent answered ${answer.status}`);
  return answer.body;
}
