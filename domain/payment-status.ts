/** The payment state machine of DESIGN.md; every transition is a workflow event and a search attribute value. */
export const PAYMENT_STATUSES = [
  'CREATED', 'SUBMITTED', 'PENDING_ACTION', 'COMPLETE', 'DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED',
] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Statuses after which the first outcome is known and the caller of start can be answered. */
export const FIRST_OUTCOME_STATUSES: readonly PaymentStatus[] = ['PENDING_ACTION', 'COMPLETE', 'DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED'];

/** Statuses in which no money will move any more (a COMPLETE payment can still be refunded). */
export const FINAL_STATUSES: readonly PaymentStatus[] = ['DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED'];

const ALLOWED_TRANSITIONS: Record<PaymentStatus, readonly PaymentStatus[]> = {
  CREATED: ['SUBMITTED', 'FAILED', 'CANCELLED'],
  SUBMITTED: ['COMPLETE', 'PENDING_ACTION', 'DECLINED', 'FAILED', 'CANCELLED'],
  PENDING_ACTION: ['COMPLETE', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED'],
  COMPLETE: ['REFUNDED'],
  DECLINED: [],
  FAILED: [],
  EXPIRED: [],
  CANCELLED: [],
  REFUNDED: [],
};

export function canTransition(from: PaymentStatus, to: PaymentStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}
