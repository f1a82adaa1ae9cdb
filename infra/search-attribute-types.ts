/**
 * Custom search attributes the dev server registers at start (DESIGN.md, Web UI inspection). A Temporal
 * cluster or Temporal Cloud namespace needs the same ones registered once by an operator.
 */
export const SEARCH_ATTRIBUTE_TYPES = {
  PaymentStatus: 'Keyword',
  PaymentProvider: 'Keyword',
  MerchantReference: 'Keyword',
  MerchantId: 'Keyword',
  AmountMinor: 'Int',
  Currency: 'Keyword',
  CheckinDate: 'Datetime',
  ReservationStatus: 'Keyword',
  /** Set by a payment when reconciliation found a difference: RECHECKING, HEALED or MISMATCH. */
  ReconStatus: 'Keyword',
} as const;
