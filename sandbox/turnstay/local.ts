import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseEnv, port } from '../../infra/env-config';
import type { LocalSandbox } from '../local-sandbox';
import { startTurnstaySandbox } from './sandbox';

/** The local TurnStay account settles in GBP (the demo) and ZAR (the TurnStay document's own example). */
const LOCAL_TURNSTAY_CURRENCIES = ['GBP', 'ZAR'];
const portsSchema = z.object({ TURNSTAY_PORT: port.default(4010), TURNSTAY_SCS_PORT: port.default(4011) });

export const localTurnstaySandbox: LocalSandbox = {
  provider: 'turnstay',
  webhookSecret: { key: 'turnstayWebhookSecret', create: () => `whsec_${randomBytes(16).toString('hex')}` },
  async start(context) {
    const ports = parseEnv(portsSchema, context.env);
    const turnstay = await startTurnstaySandbox({
      port: await context.portOrFree(ports.TURNSTAY_PORT),
      scsPort: await context.portOrFree(ports.TURNSTAY_SCS_PORT),
      webhookUrl: `${context.apiUrl}/webhooks/turnstay`,
      webhookSecret: context.webhookSecret,
      latencyMs: context.latencyMs,
      accountCurrencies: LOCAL_TURNSTAY_CURRENCIES,
    });
    return {
      providerEnv: { TURNSTAY_API_URL: turnstay.apiUrl, TURNSTAY_SCS_URL: turnstay.scsUrl, TURNSTAY_API_KEY: 'sk_test_sandbox', TURNSTAY_ACCOUNT_ID: '1001' },
      apiEnv: { TURNSTAY_WEBHOOK_SECRETS: context.webhookSecret, TURNSTAY_CURRENCIES: LOCAL_TURNSTAY_CURRENCIES.join(',') },
      summary: `TurnStay sandbox  ${turnstay.apiUrl}  (Secure Card Service ${turnstay.scsUrl})`,
      close: () => turnstay.close(),
    };
  },
};
