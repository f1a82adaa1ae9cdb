import { z } from 'zod';
import { commaList, port } from '../infra/env-config';
import { BUILT_IN_PROVIDERS, providersApiEnvShape, providersEnvShape } from '../activities/provider-registry';
import { temporalEnvSchema } from '../infra/temporal-config';
import { DEFAULT_PAYMENT_ANSWER_WITHIN_MS } from './start-payment';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** The API process: Temporal, provider credentials (its card-vault worker calls providers), and its own keys. */
export const apiEnvSchema = z.object({
  ...temporalEnvSchema.shape,
  ...providersEnvShape(BUILT_IN_PROVIDERS),
  ...providersApiEnvShape(BUILT_IN_PROVIDERS),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  /** On SIGTERM/SIGINT, how long in-flight requests may take to finish before they are cut off. */
  API_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(60_000),
  /** "merchantId:sha256(key) hex,..." — keys are stored hashed. */
  MERCHANT_API_KEYS: commaList(z.string().regex(/^[A-Za-z0-9_]{1,40}:[0-9a-f]{64}$/), '<merchantId>:<sha256 hex of the key>').pipe(
    z.array(z.string()).min(1, 'at least one merchant key is required'),
  ),
  OPERATOR_API_KEYS: commaList(sha256Hex, 'a sha256 hex digest of an operator key').pipe(z.array(z.string()).min(1, 'at least one operator key is required')),
  /** Signs operator session cookies; the same value on every replica keeps sessions valid across them and restarts. */
  OPERATOR_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Express `trust proxy` (a hop count, or addresses such as "loopback"): whose X-Forwarded-Proto says HTTPS. */
  API_TRUST_PROXY: z.string().min(1).transform((value) => (/^\d+$/.test(value) ? Number(value) : value)).optional(),
  WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
  /** The Temporal Web UI's address, for links from the operator page. */
  TEMPORAL_UI_URL: z.string().url().optional(),
  CODEC_ALLOWED_ORIGINS: commaList(z.string().url(), 'an origin URL').default([]),
  CHALLENGE_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  LOST_ANSWER_GRACE_MS: z.coerce.number().int().nonnegative().optional(),
  REFUND_ANSWER_WITHIN_MS: z.coerce.number().int().positive().optional(),
  /** POST /v1/payments answers 202 with the payment so far when its first outcome takes longer than this. */
  PAYMENT_ANSWER_WITHIN_MS: z.coerce.number().int().positive().default(DEFAULT_PAYMENT_ANSWER_WITHIN_MS),
  CARD_HANDOVER_WINDOW_MS: z.coerce.number().int().nonnegative().optional(),
  STATUS_POLL_DELAYS_MS: commaList(z.string().regex(/^\d+$/), 'milliseconds').transform((items) => items.map(Number)).optional(),
  DEMO_MERCHANT_KEY: z.string().min(8).optional(),
});

export type ApiEnv = z.infer<typeof apiEnvSchema>;

export function merchantKeysFrom(env: ApiEnv) {
  return env.MERCHANT_API_KEYS.map((entry) => {
    const [merchantId, keySha256] = entry.split(':') as [string, string];
    return { merchantId, keySha256 };
  });
}
