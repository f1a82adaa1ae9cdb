import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/common';
import { PaymentFailureType } from '../../activities/payment-failure-types';
import { cardWasLost, isDecline, isRefusal, mayHaveReachedProvider, providerSilent, toFailure } from '../../workflows/payment-failures';
import { settlementOf } from '../../workflows/provider-settlement';

/** A provider call that failed as the workflow sees it: an ActivityFailure whose cause says why. */
const failedCall = (cause: Error) => new ActivityFailure('activity failed', 'submitCardFromVault', '3', 'MAXIMUM_ATTEMPTS_REACHED', 'worker', cause);
const typed = (type: string, details?: unknown[]) => failedCall(ApplicationFailure.create({ message: `${type} happened`, type, nonRetryable: true, details }));

describe('the provider settles a payment', () => {
  test.each([
    ['COMPLETE', { status: 'COMPLETE', note: 'confirmed by TurnStay status (by polling)' }],
    ['CANCELLED', { status: 'CANCELLED', note: 'TurnStay reports the payment cancelled (by polling)' }],
    ['PENDING_ACTION', undefined],
  ] as const)('%s', (state, settlement) => {
    expect(settlementOf({ providerPaymentId: 'p1', state }, 'TurnStay', 'by polling')).toEqual(settlement);
  });

  test('FAILED carries the failure code, or says the authentication failed', () => {
    expect(settlementOf({ providerPaymentId: 'p1', state: 'FAILED', failureCode: 'do_not_honour' }, 'Trustist', 'after a hint')?.failure).toEqual({
      code: 'do_not_honour',
      message: 'Trustist reports the payment failed',
    });
    expect(settlementOf({ providerPaymentId: 'p1', state: 'FAILED' }, 'Trustist', 'after a hint')?.failure?.code).toBe('authentication_failed');
  });
});

describe('what a failed provider call means', () => {
  const declined = typed(PaymentFailureType.CardDeclined, [{ code: 'insufficient_funds' }]);
  const notPickedUp = failedCall(new TimeoutFailure('not picked up', undefined, 'SCHEDULE_TO_START'));
  const silent = failedCall(ApplicationFailure.create({ message: 'HTTP 503', type: 'ProviderUnavailable' }));

  test('a decline is a decline with its code, and no refusal', () => {
    expect([isDecline(declined), isRefusal(declined), providerSilent(declined)]).toEqual([true, false, false]);
    expect(toFailure(declined)).toEqual({ code: 'insufficient_funds', message: 'CardDeclined happened' });
  });

  test('a card never picked up was lost before the provider saw it: re-submit it', () => {
    expect([cardWasLost(notPickedUp), mayHaveReachedProvider(notPickedUp)]).toEqual([true, false]);
    expect(toFailure(notPickedUp).code).toBe('card_data_unavailable');
  });

  test('no answer at all may have charged: the provider is asked, never told it failed', () => {
    expect([providerSilent(silent), mayHaveReachedProvider(silent), isRefusal(silent), cardWasLost(silent)]).toEqual([true, true, false, false]);
    expect(toFailure(silent)).toEqual({ code: 'provider_unavailable', message: 'HTTP 503' });
  });

  test('only the provider refusing makes a refund FAILED', () => {
    expect(isRefusal(typed(PaymentFailureType.OperationRefused))).toBe(true);
    expect(isRefusal(typed(PaymentFailureType.MalformedProviderResponse))).toBe(false);
    expect(toFailure(typed(PaymentFailureType.MalformedProviderResponse)).code).toBe('malformed_provider_response');
  });
});
