import { ApplicationFailure } from '@temporalio/common';
import { withCallMetrics } from '../../activities/call-metrics';
import { createCardVaultActivities } from '../../activities/card-vault-activities';
import type { ProviderAdapter, ProviderPaymentHandle } from '../../activities/provider-adapter';
import type { ProviderRegistry } from '../../activities/provider-registry';
import type { PaymentRequest } from '../../domain/payment-request';
import { metricsRegistry } from '../../infra/observability/metrics';
import { CardVault } from '../../worker/card-vault';
import { sampleValue } from '../operations/support/prometheus-text';

async function value(name: string, labels: Record<string, string>): Promise<number> {
  return sampleValue(await metricsRegistry.metrics(), name, labels);
}

const request = { paymentId: 'payment-m-1', provider: 'trustist' } as PaymentRequest;
const handle = { provider: 'trustist' } as ProviderPaymentHandle;

describe('provider call and card-vault metrics', () => {
  const calls = { preparePayment: async () => ({}) as never, getStatus: async () => ({}) as never };
  const adapter = calls as unknown as ProviderAdapter;
  const registry = { turnstay: adapter, trustist: adapter } satisfies ProviderRegistry;

  test('each call is timed by provider and operation; an error counts by its failure type, or as transient', async () => {
    const measured = withCallMetrics(registry);
    await measured.trustist.preparePayment(request);
    calls.getStatus = async () => {
      throw ApplicationFailure.nonRetryable('refused', 'ProviderAuthenticationFailed');
    };
    await expect(measured.trustist.getStatus(request, handle)).rejects.toThrow('refused');
    calls.getStatus = async () => {
      throw new Error('socket hang up');
    };
    await expect(measured.trustist.getStatus(request, handle)).rejects.toThrow('socket hang up');

    expect({
      prepared: await value('payments_provider_call_duration_seconds_count', { provider: 'trustist', operation: 'preparePayment', result: 'ok' }),
      statusErrors: await value('payments_provider_call_duration_seconds_count', { provider: 'trustist', operation: 'getStatus', result: 'error' }),
      refused: await value('payments_provider_call_errors_total', { provider: 'trustist', operation: 'getStatus', type: 'ProviderAuthenticationFailed' }),
      transient: await value('payments_provider_call_errors_total', { provider: 'trustist', operation: 'getStatus', type: 'transient' }),
      turnstayCalls: await value('payments_provider_call_duration_seconds_count', { provider: 'turnstay', operation: 'preparePayment', result: 'ok' }),
    }).toEqual({ prepared: 1, statusErrors: 2, refused: 1, transient: 1, turnstayCalls: 0 });
  });

  test('a card submission that finds no card in this process counts as a missed pickup', async () => {
    const activities = createCardVaultActivities(new CardVault(), registry);
    await expect(activities.submitCardFromVault({ request, handle, vaultHandle: 'gone' })).rejects.toThrow(/re-submitted/);
    expect(await value('payments_card_vault_pickups_missed_total', { activity: 'submitCardFromVault' })).toBe(1);
  });
});
