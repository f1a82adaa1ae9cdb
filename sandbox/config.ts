import { z } from 'zod';
import type { TrustistSandboxOptions } from './trustist/sandbox';
import type { TurnstaySandboxOptions } from './turnstay/sandbox';

/** Environment of `npm run sandbox` (both sandboxes standalone), validated with zod. */

const port = z.coerce.number({ error: 'must be a port number' }).int('must be a port number').min(0, 'must be 0-65535').max(65535, 'must be 0-65535');
const ms = z.coerce.number({ error: 'must be a number of milliseconds' }).int('must be an integer').min(0, 'must not be negative');
const url = z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' });
const list = z.string().transform((s) => s.split(',').map((item) => item.trim()).filter(Boolean));

export const sandboxEnvSchema = z.object({
  SANDBOX_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  TURNSTAY_SANDBOX_PORT: port.default(4010),
  TURNSTAY_SANDBOX_SCS_PORT: port.default(4011),
  TURNSTAY_SANDBOX_API_KEYS: list.pipe(z.array(z.string().regex(/^sk_(test|live)_\S+$/, 'each key must look like sk_test_...')).min(1, 'needs at least one key')).default(['sk_test_sandbox']),
  TURNSTAY_SANDBOX_ACCOUNT_ID: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').positive('must be positive').default(1001),
  TURNSTAY_SANDBOX_ACCOUNT_CURRENCY: list
    .pipe(z.array(z.string().regex(/^[A-Z]{3}$/, 'each must be an ISO 4217 code such as GBP')).min(1, 'needs at least one currency'))
    .default(['GBP']),
  TURNSTAY_SANDBOX_WEBHOOK_URL: url.optional(),
  TURNSTAY_SANDBOX_WEBHOOK_SECRET: z.string().min(8, 'must be at least 8 characters').default('whsec_sandbox'),
  TRUSTIST_SANDBOX_PORT: port.default(4020),
  TRUSTIST_SANDBOX_WEBHOOK_URL: url.optional(),
  TRUSTIST_SANDBOX_MERCHANT_ID: z.string().min(1, 'must not be empty').optional(),
  TRUSTIST_SANDBOX_HAWK_ID: z.string().min(1, 'must not be empty').default('sandbox-merchant'),
  TRUSTIST_SANDBOX_HAWK_KEY: z.string().min(16, 'must be at least 16 characters').default('sandbox-hawk-key-0123456789abcdef'),
  SANDBOX_LATENCY_MS: ms.default(0),
  SANDBOX_SLOW_CARD_DELAY_MS: ms.default(3000),
  SANDBOX_WEBHOOK_BASE_DELAY_MS: ms.default(500),
  SANDBOX_WEBHOOK_MAX_ATTEMPTS: z.coerce.number({ error: 'must be an integer' }).int('must be an integer').min(1, 'must be at least 1').max(50, 'must be at most 50').default(6),
});

export type SandboxEnv = z.infer<typeof sandboxEnvSchema>;

export class SandboxConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(`Invalid sandbox environment:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`);
  }
}

/** Parses the environment; throws SandboxConfigError naming every bad variable. Empty strings count as unset. */
export function parseSandboxEnv(env: Record<string, string | undefined>): SandboxEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const result = sandboxEnvSchema.safeParse(present);
  if (result.success) return result.data;
  const problems: { variable: string; message: string }[] = [];
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? '(environment)');
    if (!problems.some((p) => p.variable === variable)) problems.push({ variable, message: issue.message });
  }
  throw new SandboxConfigError(problems);
}

export function sandboxOptionsFromEnv(env: SandboxEnv): { turnstay: TurnstaySandboxOptions; trustist: TrustistSandboxOptions } {
  const webhookRetry = { baseDelayMs: env.SANDBOX_WEBHOOK_BASE_DELAY_MS, maxAttempts: env.SANDBOX_WEBHOOK_MAX_ATTEMPTS };
  return {
    turnstay: {
      host: env.SANDBOX_HOST,
      port: env.TURNSTAY_SANDBOX_PORT,
      scsPort: env.TURNSTAY_SANDBOX_SCS_PORT,
      apiKeys: env.TURNSTAY_SANDBOX_API_KEYS,
      accountId: env.TURNSTAY_SANDBOX_ACCOUNT_ID,
      accountCurrencies: env.TURNSTAY_SANDBOX_ACCOUNT_CURRENCY,
      webhookUrl: env.TURNSTAY_SANDBOX_WEBHOOK_URL,
      webhookSecret: env.TURNSTAY_SANDBOX_WEBHOOK_SECRET,
      latencyMs: env.SANDBOX_LATENCY_MS,
      slowCardDelayMs: env.SANDBOX_SLOW_CARD_DELAY_MS,
      webhookRetry,
    },
    trustist: {
      host: env.SANDBOX_HOST,
      port: env.TRUSTIST_SANDBOX_PORT,
      credentials: [{ id: env.TRUSTIST_SANDBOX_HAWK_ID, key: env.TRUSTIST_SANDBOX_HAWK_KEY }],
      merchantId: env.TRUSTIST_SANDBOX_MERCHANT_ID,
      webhookUrl: env.TRUSTIST_SANDBOX_WEBHOOK_URL,
      latencyMs: env.SANDBOX_LATENCY_MS,
      slowCardDelayMs: env.SANDBOX_SLOW_CARD_DELAY_MS,
      webhookRetry,
    },
  };
}
