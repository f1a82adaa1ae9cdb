import { z } from 'zod';
import { commaList, httpUrl } from '../../infra/env-config';
import { defineProvider } from '../provider-module';
import { TurnstayAdapter } from './turnstay-adapter';
import { turnstayWebhookEventSchema } from './webhook-event';
import { verifyTurnstaySignature } from './webhook-signature';

/** TurnStay: card on file (Secure Card Service), a hosted card form, signed webhooks (Turnstay-Signature). */
export const turnstayProvider = defineProvider({
  name: 'turnstay',
  label: 'TurnStay',
  capabilities: { cardOnFile: true, hostedForm: true, payerDeviceRequired: false },
  env: {
    TURNSTAY_API_URL: httpUrl,
    TURNSTAY_SCS_URL: httpUrl,
    TURNSTAY_API_KEY: z.string().regex(/^sk_(test|live)_\w+$/, 'must be a TurnStay secret key (sk_test_... or sk_live_...)'),
    TURNSTAY_ACCOUNT_ID: z.coerce.number().int().positive(),
  },
  apiEnv: {
    TURNSTAY_WEBHOOK_SECRETS: commaList(z.string().regex(/^whsec_\w+$/), 'a whsec_... secret').pipe(z.array(z.string()).min(1)),
    /** Currencies the TurnStay account settles in (an intent must be in the account currency). */
    TURNSTAY_CURRENCIES: commaList(z.string().regex(/^[A-Z]{3}$/), 'an ISO 4217 code').default(['GBP']),
  },
  adapter: (env, shared) =>
    new TurnstayAdapter({
      apiUrl: env.TURNSTAY_API_URL,
      scsUrl: env.TURNSTAY_SCS_URL,
      apiKey: env.TURNSTAY_API_KEY,
      accountId: env.TURNSTAY_ACCOUNT_ID,
      timeoutMs: shared.timeoutMs,
    }),
  currencies: (env) => ({ codes: env.TURNSTAY_CURRENCIES, message: `TurnStay account settles in ${env.TURNSTAY_CURRENCIES.join(', ')}` }),
  webhook: (env) => ({
    authentication: 'signature',
    verify: (webhook, toleranceSeconds) => {
      const verdict = verifyTurnstaySignature(webhook.rawBody, webhook.header('turnstay-signature'), env.TURNSTAY_WEBHOOK_SECRETS, toleranceSeconds);
      if (verdict.valid) return { valid: true };
      return { valid: false, reason: verdict.reason, code: `signature_${verdict.reason}`, message: `Turnstay-Signature is ${verdict.reason}`, field: 'Turnstay-Signature' };
    },
    bodySchema: turnstayWebhookEventSchema.transform((event) => ({
      eventId: event.id,
      reference: event.data.object.merchant_reference ?? '',
      status: event.data.object.status,
      type: event.type,
    })),
  }),
});
