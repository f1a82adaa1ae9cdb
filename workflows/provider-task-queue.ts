import type { ProviderName } from '../domain/provider-name';

/** `payments` -> `payments-turnstay`: one queue per provider, so each provider's calls can be rate limited alone. */
export function providerTaskQueue(workflowTaskQueue: string, provider: ProviderName): string {
  return `${workflowTaskQueue}-${provider}`;
}
