import { z } from 'zod';
import type { ProviderAdapter } from './provider-adapter';

/** What a provider can do: the API's request rules read these, never a provider's name. */
export interface ProviderCapabilities {
  /** Keeps a card for later charges (a token), so reservations may charge later than at booking. */
  cardOnFile: boolean;
  /** Hosts a card form of its own (method hosted_form): no card reaches us. */
  hostedForm: boolean;
  /** Needs the payer's browser/device context (3-D Secure data) with every card payment. */
  payerDeviceRequired: boolean;
}

/** One incoming webhook as the API received it, before anything is trusted. */
export interface IncomingWebhook {
  rawBody: Buffer;
  header(name: string): string | undefined;
  /** The path segment after /webhooks/<provider>/, for providers that authenticate by a secret URL. */
  pathSecret?: string;
}

export type WebhookVerdict =
  | { valid: true }
  /** `reason` labels logs and metrics; code, message and field make the 401 body (never the presented secret). */
  | { valid: false; reason: string; code: string; message: string; field: string };

/** What the payment needs from a webhook: it is only a hint, confirmed with the provider's status endpoint. */
export interface ProviderWebhookEvent {
  /** The provider's event id, or a digest of the event where it has none (deduplication). */
  eventId: string;
  /** Our payment ID, as the provider echoes it. */
  reference: string;
  status: string;
  /** The provider's payment id where the event names one. */
  providerPaymentId?: string;
  /** The provider's event type, for logs. */
  type: string;
}

export interface WebhookReceiver {
  /** `path_secret`: the provider signs nothing, so its webhooks come to /webhooks/<provider>/<secret> (that secret is the check). */
  authentication: 'signature' | 'path_secret';
  verify(webhook: IncomingWebhook, toleranceSeconds: number): WebhookVerdict;
  /** Parses the verified JSON body; its issues become a 400 naming the field. */
  bodySchema: z.ZodType<ProviderWebhookEvent>;
}

/** What the API process knows of a provider: its rules and how to receive its webhooks. */
export interface ApiProvider {
  name: string;
  label: string;
  capabilities: ProviderCapabilities;
  /** Currencies it takes, and what a 400 says otherwise. */
  currencies: { codes: string[]; message: string };
  webhook: WebhookReceiver;
}

/** Lowercase letters and digits: a provider's name goes into task queue names, env variable names and visibility queries. */
export const PROVIDER_NAME_PATTERN = /^[a-z][a-z0-9]{1,30}$/;

type Shape = z.ZodRawShape;
type EnvOf<S extends Shape> = z.infer<z.ZodObject<S>>;

/** Settings every provider's calls share (PROVIDER_TIMEOUT_MS). */
export interface SharedProviderSettings {
  timeoutMs: number;
}

/**
 * A provider as a plugin: one folder under activities/ exports one of these, and the registry lists it. Its
 * environment variables, its adapter, its rules and its webhook verification all come from here.
 */
export interface ProviderModule {
  name: string;
  label: string;
  capabilities: ProviderCapabilities;
  /** Variables its calls need (worker and API: the API's card-vault worker calls providers too). */
  envShape: Shape;
  /** Variables only the API needs (webhook secrets, account currencies). */
  apiEnvShape: Shape;
  createAdapter(env: Record<string, unknown>, shared: SharedProviderSettings): ProviderAdapter;
  forApi(env: Record<string, unknown>): ApiProvider;
}

/** Ties each part to the types of its own variables; the registry sees the erased ProviderModule. */
export function defineProvider<E extends Shape, A extends Shape>(spec: {
  name: string;
  label: string;
  capabilities: ProviderCapabilities;
  env: E;
  apiEnv: A;
  adapter(env: EnvOf<E>, shared: SharedProviderSettings): ProviderAdapter;
  currencies(env: EnvOf<A>): { codes: string[]; message: string };
  webhook(env: EnvOf<A>): WebhookReceiver;
}): ProviderModule {
  if (!PROVIDER_NAME_PATTERN.test(spec.name)) throw new Error(`provider name "${spec.name}" must be 2 to 31 lowercase letters or digits`);
  const envSchema = z.object(spec.env);
  const apiEnvSchema = z.object(spec.apiEnv);
  return {
    name: spec.name,
    label: spec.label,
    capabilities: spec.capabilities,
    envShape: spec.env,
    apiEnvShape: spec.apiEnv,
    // The processes validated the whole environment already (every problem at once); this only types their part.
    createAdapter: (env, shared) => spec.adapter(envSchema.parse(env), shared),
    forApi: (env) => {
      const parsed = apiEnvSchema.parse(env);
      return { name: spec.name, label: spec.label, capabilities: spec.capabilities, currencies: spec.currencies(parsed), webhook: spec.webhook(parsed) };
    },
  };
}
