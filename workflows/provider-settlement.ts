import type { ProviderStatus } from '../activities/provider-adapter';
import type { PaymentStatus } from '../domain/payment-status';
import type { PaymentFailure } from './payment-types';

/** A final state the provider's status endpoint settles a payment in, with the note and failure it is recorded with. */
export interface Settlement {
  status: Extract<PaymentStatus, 'COMPLETE' | 'FAILED' | 'CANCELLED'>;
  note: string;
  failure?: PaymentFailure;
}

/**
 * The provider is the authority before any final state: what its status answer settles, or undefined while the
 * payment is still open there (waiting for the shopper, or processing). `how` says what made the payment ask.
 */
export function settlementOf(status: ProviderStatus, providerLabel: string, how: string): Settlement | undefined {
  switch (status.state) {
    case 'COMPLETE':
      return { status: 'COMPLETE', note: `confirmed by ${providerLabel} status (${how})` };
    case 'FAILED':
      return {
        status: 'FAILED',
        note: `confirmed by ${providerLabel} status (${how})`,
        failure: { code: status.failureCode ?? 'authentication_failed', message: `${providerLabel} reports the payment failed` },
      };
    case 'CANCELLED':
      return { status: 'CANCELLED', note: `${providerLabel} reports the payment cancelled (${how})` };
    default:
      return undefined;
  }
}
