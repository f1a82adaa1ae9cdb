import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { PaymentFailureType, NON_RETRYABLE_PAYMENT_FAILURES } from '../activities/payment-failure-types';

/**
 * What a failed provider call means for a payment: a refusal, a decline, a lost card, or no answer at all. Pure
 * functions of the failure, so each rule can be read and tested alone.
 */

export function requireReason(reason: unknown): void {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 200) {
    throw new Error('reason must be a string of 1 to 200 characters');
  }
}

export function applicationFailureOf(error: unknown): ApplicationFailure | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** The provider's "no" to a refund: only then is a refund FAILED. Anything else may have moved the money. */
export function isRefusal(error: unknown): boolean {
  const type = applicationFailureOf(error)?.type;
  return type === PaymentFailureType.OperationRefused || type === PaymentFailureType.InvalidRequest;
}

export function isDecline(error: unknown): boolean {
  return applicationFailureOf(error)?.type === PaymentFailureType.CardDeclined;
}

/** The card was not there to submit: its process did not pick the submission up, or no longer held the card. */
export function cardWasLost(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') return true;
  return applicationFailureOf(error)?.type === PaymentFailureType.CardDataUnavailable;
}

/** The provider gave no answer at all (retries exhausted on 5xx, timeouts, resets), as opposed to a refusal. */
export function providerSilent(error: unknown): boolean {
  const type = applicationFailureOf(error)?.type;
  return !(NON_RETRYABLE_PAYMENT_FAILURES as readonly string[]).includes(type ?? '');
}

/** False when the provider certainly did not take the card: the vault never picked it up, or the provider refused the request. */
export function mayHaveReachedProvider(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') return false;
  const type = applicationFailureOf(error)?.type;
  return type !== PaymentFailureType.InvalidRequest && type !== PaymentFailureType.ProviderAuthenticationFailed;
}

export function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

export function toFailure(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') {
    return { code: 'card_data_unavailable', message: 'card data must be re-submitted: the process that held it did not pick up the submission' };
  }
  const failure = applicationFailureOf(error);
  switch (failure?.type) {
    case PaymentFailureType.CardDeclined: {
      const [details] = (failure.details ?? []) as [{ code?: string } | undefined];
      return { code: details?.code ?? 'card_declined', message: failure.message };
    }
    case PaymentFailureType.CardDataUnavailable:
      return { code: 'card_data_unavailable', message: failure.message };
    case PaymentFailureType.MalformedProviderResponse:
      return { code: 'malformed_provider_response', message: failure.message };
    case PaymentFailureType.InvalidRequest:
      return { code: 'rejected_by_provider', message: failure.message };
    case PaymentFailureType.ProviderAuthenticationFailed:
      return { code: 'provider_authentication_failed', message: failure.message };
    default:
      return { code: 'provider_unavailable', message: failureMessage(error) };
  }
}
