import { WorkflowNotFoundError, WorkflowUpdateFailedError, ServiceError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ApiError } from './api-error';

/** Turns what Temporal says about a payment into the API's answer; anything unknown is rethrown as is. */
export function toApiError(error: unknown, action: string): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof WorkflowNotFoundError) return new ApiError(404, 'payment_not_found', 'no such payment', 'id');
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    const message = cause instanceof Error ? cause.message : `the payment could not ${action}`;
    const code = cause instanceof ApplicationFailure && cause.type === 'RefundRefused' ? 'refund_refused' : `cannot_${action}`;
    return new ApiError(409, code, message);
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
