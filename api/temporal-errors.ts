import { WorkflowNotFoundError, WorkflowUpdateFailedError, ServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { RefundRejection } from '../workflows/refund-types';
import { ApiError } from './api-error';

/** Update rejections the merchant can act on, by failure type: each has its own code (and the field to change). */
const REJECTIONS: Record<string, { code: string; field?: string }> = {
  [RefundRejection.RefundRefused]: { code: 'refund_refused' },
  [RefundRejection.IdempotencyConflict]: { code: 'idempotency_conflict', field: 'Idempotency-Key' },
  [RefundRejection.AmountExceedsRefundable]: { code: 'amount_exceeds_refundable', field: 'amountMinor' },
  [RefundRejection.RefundInProgress]: { code: 'refund_in_progress' },
};

/** Turns what Temporal says about a payment into the API's answer; anything unknown is rethrown as is. */
export function toApiError(error: unknown, action: string): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof WorkflowNotFoundError) return new ApiError(404, 'payment_not_found', 'no such payment', 'id');
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    const message = cause instanceof Error ? cause.message : `the payment could not ${action}`;
    const known = cause instanceof ApplicationFailure && cause.type ? REJECTIONS[cause.type] : undefined;
    return new ApiError(409, known?.code ?? `cannot_${action}`, message, known?.field);
  }
  const text = error instanceof Error ? error.message : '';
  if (/workflow execution already completed|already completed/i.test(text)) {
    return new ApiError(409, `cannot_${action}`, `the payment is closed and can no longer ${action}`);
  }
  if (error instanceof ServiceError || /UNAVAILABLE|ECONNREFUSED|DEADLINE_EXCEEDED/.test(text)) {
    return new ApiError(503, 'temporarily_unavailable', 'the payment service is temporarily unavailable; retry with the same Idempotency-Key');
  }
  return error;
}
