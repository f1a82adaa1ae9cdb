import { z } from 'zod';
import type { ProvidersConfig } from '../activities/provider-registry';
import { httpUrl } from './env-config';

/** Provider endpoints and credentials (npm start points them at the embedded sandboxes). */
export const providersEnvSchema = z.object({
  TURNSTAY_API_URL: httpUrl,
  TURNSTAY_SCS_URL: httpUrl,
  TURNSTAY_API_KEY: z.string().regex(/^sk_(test|live)_\w+$/, 'must be a TurnStay secret key (sk_test_... or sk_live_...)'),
  TURNSTAY_ACCOUNT_ID: z.coerce.number().int().positive(),
  TRUSTIST_API_URL: httpUrl,
  TRUSTIST_KEY_ID: z.string().min(1),
  TRUSTIST_KEY: z.string().min(16, 'must be at least 16 characters'),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
});

export type ProvidersEnv = z.infer<typeof providersEnvSchema>;

export function providersConfig(env: ProvidersEnv): ProvidersConfig {
  return {
    turnstay: {
      apiUrl: env.TURNSTAY_API_URL,
      scsUrl: env.TURNSTAY_SCS_URL,
      apiKey: env.TURNSTAY_API_KEY,
      accountId: env.TURNSTAY_ACCOUNT_ID,
      timeoutMs: env.PROVIDER_TIMEOUT_MS,
    },
    trustist: { apiUrl: env.TRUSTIST_API_URL, keyId: env.TRUSTIST_KEY_ID, key: env.TRUSTIST_KEY, timeoutMs: env.PROVIDER_TIMEOUT_MS },
  };
}
