import {
  isGrpcServiceError,
  ServiceError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
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

/**
 * Turns what Temporal says about a payment into the API's answer, by the kind of failure (never by words in its
 * message); anything else is rethrown as is and becomes a bare 500.
 */
export function toApiError(error: unknown, action: string): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof WorkflowNotFoundError) return new ApiError(404, 'payment_not_found', 'no such payment', 'id');
  if (error instanceof WorkflowUpdateFailedError) {
    const cause = error.cause;
    const message = cause instanceof Error ? cause.message : `the payment could not ${action}`;
    const known = cause instanceof ApplicationFailure && cause.type ? REJECTIONS[cause.type] : undefined;
    return new ApiError(409, known?.code ?? `cannot_${action}`, message, known?.field);
  }
  // Temporal unreachable, overloaded or too slow to answer: nothing was decided, the same request can be retried.
  if (error instanceof ServiceError || error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcServiceError(error)) {
    return new ApiError(503, 'temporarily_unavailable', 'the payment service is temporarily unavailable; retry with the same Idempotency-Key');
  }
  return error;
}

/**
 * As toApiError, for a signal or update sent to one workflow. Temporal reports a closed workflow as not found, so
 * the workflow is looked up: one that exists but has finished is a 409 (it can no longer act), not a 404.
 */
export async function toApiErrorFor(handle: WorkflowHandle, error: unknown, action: string, kind: 'payment' | 'reservation' = 'payment'): Promise<unknown> {
  if (error instanceof WorkflowNotFoundError) {
    const execution = await handle.describe().catch(() => undefined);
    if (execution && execution.status.name !== 'RUNNING') {
      return new ApiError(409, `${kind}_closed`, `the ${kind} has finished (${execution.status.name.toLowerCase()}) and can no longer ${action.replace(/_/g, ' ')}`);
    }
    if (kind === 'reservation') return new ApiError(404, 'reservation_not_found', 'no such reservation', 'id');
  }
  return toApiError(error, action);
}
