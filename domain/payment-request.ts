import type { CardSummary } from './card';
import type { ProviderName } from './provider-name';

/** A payment as every layer sees it, card data excluded: what goes into workflow inputs and provider calls. */
export interface PaymentRequest {
  /** Workflow ID, also the idempotency key/reference sent to the provider. */
  paymentId: string;
  merchantId: string;
  /** The merchant's own reference for the order or booking. */
  reference: string;
  provider: ProviderName;
  amountMinor: number;
  currency: string;
  description?: string;
  payerEmail?: string;
  payerPhone?: string;
  /** TurnStay requires a check-in date on every intent; a stay's dates where there is one. */
  checkinDate?: string;
  checkoutDate?: string;
  /** Absent for a hosted form (the shopper types the card on the provider's page; we never see it). */
  card?: CardSummary;
}
