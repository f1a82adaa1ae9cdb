import type { CardBrand, CardData } from '../shared/test-cards';

/** In-memory records of the TurnStay sandbox. Card data lives only here, in memory, never on disk. */

export type IntentStatus = 'INITIALIZED' | 'REQUIRES_ACTION' | 'PROCESSED' | 'FAILED' | 'CANCELLED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';

export type PaymentType = 'Card Payment' | 'Virtual Card';

export interface TurnstayIntent {
  id: number;
  lookupId: string;
  scsIntentId: string;
  clientSecret: string;
  accountId: number;
  billingAmount: number;
  billingCurrency: string;
  merchantReference: string | null;
  paymentType: PaymentType;
  checkinDate: string;
  checkoutDate: string | null;
  customerEmail: string | null;
  customerPhoneNumber: string | null;
  callbackUrl: string | null;
  successRedirectUrl: string | null;
  failedRedirectUrl: string | null;
  description: string | null;
  status: IntentStatus;
  failureCode: string | null;
  failureMessage: string | null;
  amountRefunded: number;
  card: { brand: CardBrand; last4: string } | null;
  createdAt: string;
  updatedAt: string;
  /** Set while a confirm is being processed (concurrent duplicates wait for it). */
  processing?: Promise<unknown>;
}

export interface StoredToken {
  token: string;
  card: CardData;
  brand: CardBrand;
  last4: string;
}

export interface TokenIntent {
  id: number;
  lookupId: string;
  scsId: string;
  clientSecret: string;
  accountId: number;
  customerEmail: string | null;
  status: 'INITIALIZED' | 'PROCESSED';
  token: string | null;
  card: { brand: CardBrand; last4: string } | null;
  createdAt: string;
}

export interface TurnstayRefund {
  id: number;
  payment_intent_id: string;
  billing_amount: number;
  billing_currency: string;
  reason: string;
  status: 'COMPLETED';
  idempotency_key: string | null;
  created_at: string;
}
