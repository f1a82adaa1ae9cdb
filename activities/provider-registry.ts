import type { ProviderName } from '../domain/provider-name';
import type { ProviderAdapter } from './provider-adapter';
import type { TrustistConfig } from './trustist/config';
import { TrustistAdapter } from './trustist/trustist-adapter';
import type { TurnstayConfig } from './turnstay/config';
import { TurnstayAdapter } from './turnstay/turnstay-adapter';

export interface ProvidersConfig {
  turnstay: TurnstayConfig;
  trustist: TrustistConfig;
}

export type ProviderRegistry = Record<ProviderName, ProviderAdapter>;

/** Adding a provider: one folder under activities/ and one line here. */
export function createProviderRegistry(config: ProvidersConfig): ProviderRegistry {
  return {
    turnstay: new TurnstayAdapter(config.turnstay),
    trustist: new TrustistAdapter(config.trustist),
  };
}
