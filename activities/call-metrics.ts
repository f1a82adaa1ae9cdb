import { ApplicationFailure } from '@temporalio/common';
import { providerCallDuration, providerCallErrors } from '../infra/observability/metrics';
import type { ProviderAdapter } from './provider-adapter';
import type { ProviderRegistry } from './provider-registry';

function measured(provider: string, adapter: ProviderAdapter): ProviderAdapter {
  return new Proxy(adapter, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const operation = property;
      return async (...args: unknown[]) => {
        const stop = providerCallDuration.startTimer({ provider, operation });
        try {
          const result: unknown = await (value as (...inner: unknown[]) => unknown).apply(target, args);
          stop({ result: 'ok' });
          return result;
        } catch (error) {
          stop({ result: 'error' });
          // The failure type is one of a fixed set (payment-failure-types.ts); anything else is a fault Temporal retries.
          const type = error instanceof ApplicationFailure && error.type ? error.type : 'transient';
          providerCallErrors.inc({ provider, operation, type });
          throw error;
        }
      };
    },
  });
}

/** The registry with every provider call timed and its errors counted (labels: provider, operation, never ids). */
export function withCallMetrics<Registry extends ProviderRegistry>(providers: Registry): Registry {
  return Object.fromEntries(Object.entries(providers).map(([name, adapter]) => [name, measured(name, adapter)])) as Registry;
}
