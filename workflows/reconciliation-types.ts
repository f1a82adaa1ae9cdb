import type { PaymentRequest } from '../domain/payment-request';
import type { PaymentStatus } from '../domain/payment-status';
import type { ProviderName } from '../domain/provider-name';

/**
 * ReconStatus values: RECHECKING while a payment re-asks its provider about a safe difference, HEALED once that
 * settled it, MISMATCH for a difference an operator must look at, RESOLVED once a MISMATCH agrees with the provider
 * again (an operator fixed it, or the provider's side changed back).
 */
export type ReconStatus = 'RECHECKING' | 'HEALED' | 'MISMATCH' | 'RESOLVED';

export interface ReconciliationFinding {
  reconStatus: Exclude<ReconStatus, 'HEALED'>;
  /** The precise difference, e.g. "COMPLETE here, refunded 5.00 GBP at the provider". */
  reason: string;
}

export interface ReconciliationInput {
  /** The payments' task queue: the sweep reads payments of this queue and runs its calls on `<queue>-reconciliation`. */
  paymentTaskQueue: string;
  /** A payment still waiting (CREATED, SUBMITTED, PENDING_ACTION) this long after its start is overdue (default 30 min). */
  stuckAfterMs?: number;
  /** Payments started, and provider payments created, this long before the run are compared (default 2 h). */
  lookbackMs?: number;
  /** At most this many of our payments per run (default 1,000). */
  maxPayments?: number;
  /** The registered providers, swept in this order (the worker's registry). */
  providers?: string[];
}

/** One of our payments as the sweep compares it: what its workflow says, no card data. */
export interface OurPayment {
  workflowId: string;
  running: boolean;
  startedAt: string;
  status: PaymentStatus;
  providerPaymentId?: string;
  refundedMinor: number;
  refundPending: boolean;
  reconStatus?: string;
  request: PaymentRequest;
}

export interface TheirPayment {
  providerPaymentId: string;
  reference: string;
  state: string;
  amountMinor: number;
  currency: string;
  refundedMinor: number;
}

export type ReconciliationAction = 'recheck' | 'reported' | 'reported (payment closed)';

export interface ReconciliationDifference {
  provider: ProviderName;
  /** Our payment's workflow ID, absent for a charge we have no payment for. */
  workflowId?: string;
  providerPaymentId?: string;
  ours?: string;
  theirs?: string;
  reason: string;
  action: ReconciliationAction;
}

export interface ReconciliationReport {
  startedAt: string;
  finishedAt: string;
  paymentTaskQueue: string;
  comparedFrom: string;
  paymentsChecked: number;
  providerPaymentsListed: number;
  differences: ReconciliationDifference[];
  /** Payments flagged MISMATCH by an earlier run that agree with the provider now (told so: ReconStatus RESOLVED). */
  resolved?: string[];
  /** The same as a Markdown table, for people (the Web UI shows it in the run's result). */
  markdown: string;
}

/** The schedule that runs the sweep for one payments task queue, and the queue its calls run on. */
export const reconciliationScheduleId = (paymentTaskQueue: string) => `reconciliation-${paymentTaskQueue}`;
export const reconciliationTaskQueue = (paymentTaskQueue: string) => `${paymentTaskQueue}-reconciliation`;
