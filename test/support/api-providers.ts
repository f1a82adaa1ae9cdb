import type { ProviderModule } from '../../activities/provider-module';
import { BUILT_IN_PROVIDERS, createApiProviders } from '../../activities/provider-registry';

/** A provider registered by a test alone (an example plugin), with the environment its module reads. */
export interface TestProviderPlugin {
  module: ProviderModule;
  env: Record<string, string>;
}

/** The API's view of the built-in providers (GBP TurnStay account) plus any test plugins, from the variables production reads. */
export function testApiProviders(secrets: { turnstayWebhookSecret: string; trustistWebhookPathSecret: string }, plugins: TestProviderPlugin[] = []) {
  return createApiProviders([...BUILT_IN_PROVIDERS, ...plugins.map((plugin) => plugin.module)], {
    TURNSTAY_WEBHOOK_SECRETS: secrets.turnstayWebhookSecret,
    TURNSTAY_CURRENCIES: 'GBP',
    TRUSTIST_WEBHOOK_PATH_SECRET: secrets.trustistWebhookPathSecret,
    ...Object.assign({}, ...plugins.map((plugin) => plugin.env)),
  });
}
