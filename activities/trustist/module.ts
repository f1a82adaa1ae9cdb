import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { httpUrl } from '../../infra/env-config';
import { defineProvider } from '../provider-module';
import { TrustistAdapter } from './trustist-adapter';
import { trustistEventId, trustistWebhookEventSchema } from './webhook-event';

/** Trustist: card payments only (no card on file, no hosted form), GBP, 3-D Secure browser data, unsigned webhooks. */
export const trustistProvider = defineProvider({
  name: 'trustist',
  label: 'Trustist',
  capabilities: { cardOnFile: false, hostedForm: false, payerDeviceRequired: true },
  env: {
    TRUSTIST_API_URL: httpUrl,
    TRUSTIST_KEY_ID: z.string().min(1),
    TRUSTIST_KEY: z.string().min(16, 'must be at least 16 characters'),
  },
  apiEnv: {
    /** Trustist signs nothing: its webhooks come to a URL with this secret in the path. */
    TRUSTIST_WEBHOOK_PATH_SECRET: z.string().regex(/^[A-Za-z0-9_-]{24,}$/, 'must be at least 24 URL-safe characters'),
  },
  adapter: (env, shared) => new TrustistAdapter({ apiUrl: env.TRUSTIST_API_URL, keyId: env.TRUSTIST_KEY_ID, key: env.TRUSTIST_KEY, timeoutMs: shared.timeoutMs }),
  currencies: () => ({ codes: ['GBP'], message: 'Trustist takes GBP only' }),
  webhook: (env) => ({
    authentication: 'path_secret',
    verify: (webhook) => {
      const presented = Buffer.from(webhook.pathSecret ?? '');
      const expected = Buffer.from(env.TRUSTIST_WEBHOOK_PATH_SECRET);
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) return { valid: true };
      return { valid: false, reason: 'wrong_path_secret', code: 'unknown_webhook_url', message: 'this webhook URL is not valid', field: 'url' };
    },
    bodySchema: trustistWebhookEventSchema.transform((event) => ({
      eventId: trustistEventId(event),
      reference: event.reference,
      status: event.status,
      providerPaymentId: event.paymentId,
      type: event.eventType,
    })),
  }),
});
