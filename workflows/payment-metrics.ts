import { proxySinks, type Sinks } from '@temporalio/workflow';
import { FINAL_STATUSES, type PaymentStatus } from '../domain/payment-status';

/**
 * Payment counts for the worker's metrics. A sink call is no command and leaves no trace in history; the worker
 * runs it after the workflow task, and not again when the workflow is replayed, so each payment counts once.
 */
export interface PaymentMetricsSinks extends Sinks {
  paymentMetrics: {
    started(provider: string): void;
    finished(provider: string, status: PaymentStatus): void;
  };
}

const { paymentMetrics } = proxySinks<PaymentMetricsSinks>();

/** Statuses that end a payment's first life: its outcome (a COMPLETE payment refunded later has finished already). */
const OUTCOMES: readonly PaymentStatus[] = ['COMPLETE', ...FINAL_STATUSES];

export function countPaymentStarted(provider: string): void {
  paymentMetrics.started(provider);
}

export function countPaymentTransition(provider: string, from: PaymentStatus, to: PaymentStatus): void {
  if (!OUTCOMES.includes(from) && OUTCOMES.includes(to)) paymentMetrics.finished(provider, to);
}
