import { randomBytes } from 'node:crypto';
import type { TurnstayIntent } from './model';

/** TurnStay webhook envelopes (event types and envelope as TurnStay's webhook docs list them). */

export const TURNSTAY_API_VERSION = 'v1';

export type TurnstayEventType =
  | 'merchant_of_record.payment_intent.succeeded'
  | 'merchant_of_record.payment_intent.payment_failed'
  | 'merchant_of_record.payment_intent.cancelled'
  | 'merchant_of_record.transaction.requires_action'
  | 'merchant_of_record.refund.created';

export interface TurnstayEvent {
  id: string;
  object: 'event';
  type: TurnstayEventType;
  created_at: string;
  api_version: string;
  data: {
    object: Record<string, unknown>;
    previous_attributes: Record<string, unknown>;
  };
}

export function newEventId(): string {
  return `evt_${randomBytes(12).toString('hex')}`;
}

export function buildEvent(
  type: TurnstayEventType,
  intent: TurnstayIntent,
  previousStatus: string,
  extra: Record<string, unknown> = {},
): TurnstayEvent {
  return {
    id: newEventId(),
    object: 'event',
    type,
    created_at: new Date().toISOString(),
    api_version: TURNSTAY_API_VERSION,
    data: {
      object: {
        id: intent.lookupId,
        object: 'payment_intent',
        status: intent.status.toLowerCase(),
        billing_amount: intent.billingAmount,
        billing_currency: intent.billingCurrency,
        merchant_reference: intent.merchantReference,
        account_id: intent.accountId,
        payment_type: intent.paymentType,
        amount_refunded: intent.amountRefunded,
        ...(intent.failureCode ? { failure_code: intent.failureCode, failure_message: intent.failureMessage } : {}),
        ...extra,
      },
      previous_attributes: { status: previousStatus.toLowerCase() },
    },
  };
}
