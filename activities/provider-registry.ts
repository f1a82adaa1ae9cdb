import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { PaymentFailureType } from './payment-failure-types';
import type { ProviderAdapter } from './provider-adapter';
import type { ApiProvider, ProviderModule } from './provider-module';
import type { TrustistConfig } from './trustist/config';
import { trustistProvider } from './trustist/module';
import { TrustistAdapter } from './trustist/trustist-adapter';
import type { TurnstayConfig } from './turnstay/config';
import { turnstayProvider } from './turnstay/module';
import { TurnstayAdapter } from './turnstay/turnstay-adapter';

/** Adding a provider: one folder under activities/ exporting a ProviderModule, and one entry here. */
export const BUILT_IN_PROVIDERS: readonly ProviderModule[] = [turnstayProvider, trustistProvider];

/** Each registered provider's adapter, by provider name. */
export type ProviderRegistry = Readonly<Record<string, ProviderAdapter>>;

/** Variables every provider's calls share. */
const sharedProviderEnvShape = {
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
};

/** `turnstay` -> `TURNSTAY_CALLS_PER_SECOND`: the worker's cap on calls per second to that provider. */
export function callsPerSecondVariable(provider: string): string {
  return `${provider.toUpperCase()}_CALLS_PER_SECOND`;
}

/** The variables every listed provider's calls need (worker and API), plus the shared ones. */
export function providersEnvShape(modules: readonly ProviderModule[]): z.ZodRawShape {
  return Object.assign({}, sharedProviderEnvShape, ...modules.map((module) => module.envShape)) as z.ZodRawShape;
}

/** The variables only the API reads (webhook secrets, currencies). */
export function providersApiEnvShape(modules: readonly ProviderModule[]): z.ZodRawShape {
  return Object.assign({}, ...modules.map((module) => module.apiEnvShape)) as z.ZodRawShape;
}

/** The worker's per-provider rate variables, derived from the registry. */
export function callsPerSecondEnvShape(modules: readonly ProviderModule[]): z.ZodRawShape {
  return Object.fromEntries(modules.map((module) => [callsPerSecondVariable(module.name), z.coerce.number().positive().optional()]));
}

export function callsPerSecondFromEnv(modules: readonly ProviderModule[], env: NodeJS.ProcessEnv): Record<string, number | undefined> {
  const schema = z.coerce.number().positive().optional();
  return Object.fromEntries(modules.map((module) => [module.name, schema.parse(env[callsPerSecondVariable(module.name)] || undefined)]));
}

/** Adapters from the raw environment (validated by the process beforehand, so every problem is named at once). */
export function createProviderAdapters(modules: readonly ProviderModule[], env: Record<string, unknown>): ProviderRegistry {
  const shared = z.object(sharedProviderEnvShape).parse(env);
  assertUniqueNames(modules);
  return Object.fromEntries(modules.map((module) => [module.name, module.createAdapter(env, { timeoutMs: shared.PROVIDER_TIMEOUT_MS })]));
}

/** What the API knows of each provider (rules, currencies, webhook receivers), from the raw environment. */
export function createApiProviders(modules: readonly ProviderModule[], env: Record<string, unknown>): ApiProvider[] {
  assertUniqueNames(modules);
  return modules.map((module) => module.forApi(env));
}

/** A provider's adapter; a name no registered provider has is a request that can never succeed. */
export function adapterFor(providers: ProviderRegistry, provider: string): ProviderAdapter {
  const adapter = Object.hasOwn(providers, provider) ? providers[provider] : undefined;
  if (!adapter) throw ApplicationFailure.nonRetryable(`no provider "${provider}" is registered`, PaymentFailureType.InvalidRequest);
  return adapter;
}

function assertUniqueNames(modules: readonly ProviderModule[]): void {
  const names = modules.map((module) => module.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated) throw new Error(`provider "${repeated}" is registered twice`);
}

/** The built-in providers from typed settings (test stacks and the bench build them so, without an environment). */
export interface ProvidersConfig {
  turnstay: TurnstayConfig;
  trustist: TrustistConfig;
}

export function createProviderRegistry(config: ProvidersConfig, more: ProviderRegistry = {}): ProviderRegistry {
  return { turnstay: new TurnstayAdapter(config.turnstay), trustist: new TrustistAdapter(config.trustist), ...more };
}
