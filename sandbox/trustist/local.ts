import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseEnv, port } from '../../infra/env-config';
import type { LocalSandbox } from '../local-sandbox';
import { startTrustistSandbox } from './sandbox';

const portsSchema = z.object({ TRUSTIST_PORT: port.default(4020) });

export const localTrustistSandbox: LocalSandbox = {
  provider: 'trustist',
  // Trustist signs nothing: the secret is in its webhook URL.
  webhookSecret: { key: 'trustistWebhookPathSecret', create: () => randomBytes(24).toString('base64url') },
  async start(context) {
    const ports = parseEnv(portsSchema, context.env);
    const trustist = await startTrustistSandbox({
      port: await context.portOrFree(ports.TRUSTIST_PORT),
      webhookUrl: `${context.apiUrl}/webhooks/trustist/${context.webhookSecret}`,
      latencyMs: context.latencyMs,
    });
    return {
      providerEnv: { TRUSTIST_API_URL: trustist.apiUrl, TRUSTIST_KEY_ID: 'sandbox-merchant', TRUSTIST_KEY: 'sandbox-hawk-key-0123456789abcdef' },
      apiEnv: { TRUSTIST_WEBHOOK_PATH_SECRET: context.webhookSecret },
      summary: `Trustist sandbox  ${trustist.apiUrl}`,
      close: () => trustist.close(),
    };
  },
};
