import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { ApiError } from '../../api/api-error';
import { toApiError } from '../../api/temporal-errors';

/** The API's answer follows the kind of failure Temporal reports, never words that happen to be in a message. */
describe('Temporal errors to API answers', () => {
  const answer = (error: unknown) => {
    const mapped = toApiError(error, 'refund');
    return mapped instanceof ApiError ? { status: mapped.status, code: mapped.code } : mapped;
  };

  test('an error that is not Temporal\'s stays unknown (a 500), whatever its message says', () => {
    for (const message of ['connect ECONNREFUSED 127.0.0.1:7233', '14 UNAVAILABLE: no connection', 'workflow execution already completed', 'DEADLINE_EXCEEDED']) {
      const error = new TypeError(message);
      expect(answer(error)).toBe(error);
    }
  });

  test('Temporal unreachable or too slow to answer is a 503 to retry', () => {
    const grpcError = Object.assign(new Error('14 UNAVAILABLE'), { code: 14, details: 'No connection established', metadata: {} });
    expect(answer(new ServiceError('Failed to query Workflow', { cause: grpcError }))).toEqual({ status: 503, code: 'temporarily_unavailable' });
    expect(answer(grpcError)).toEqual({ status: 503, code: 'temporarily_unavailable' });
    expect(answer(new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled'))).toEqual({ status: 503, code: 'temporarily_unavailable' });
  });

  test('a rejected or failed update is a 409 by its failure type', () => {
    const refused = new WorkflowUpdateFailedError('update failed', ApplicationFailure.nonRetryable('provider refused', 'RefundRefused'));
    expect(answer(refused)).toEqual({ status: 409, code: 'refund_refused' });
    const rejected = new WorkflowUpdateFailedError('update failed', ApplicationFailure.create({ message: 'only a COMPLETE payment can be refunded', type: 'Error' }));
    expect(answer(rejected)).toEqual({ status: 409, code: 'cannot_refund' });
  });

  test('no such workflow is a 404', () => {
    expect(answer(new WorkflowNotFoundError('not found', 'payment-merchant1-x', undefined))).toEqual({ status: 404, code: 'payment_not_found' });
  });
});
