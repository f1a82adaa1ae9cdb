import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { defineProvider } from '../../../activities/provider-module';
import { ExampleAdapter } from './adapter';

const webhookEventSchema = z.object({
  eventId: z.string().min(1).max(200),
  type: z.string().min(1).max(100),
  payment: z.object({ id: z.string().min(1).max(200), reference: z.string().max(200), status: z.string().min(1).max(50) }),
});

/** A third provider, registered by the test alone: no production file names it. */
export const exampleProvider = defineProvider({
  name: 'example',
  label: 'Example Pay',
  capabilities: { cardOnFile: false, hostedForm: false, payerDeviceRequired: false },
  env: { EXAMPLE_API_URL: z.string().url(), EXAMPLE_API_KEY: z.string().min(8) },
  apiEnv: { EXAMPLE_WEBHOOK_SECRET: z.string().min(16) },
  adapter: (env, shared) => new ExampleAdapter({ apiUrl: env.EXAMPLE_API_URL, apiKey: env.EXAMPLE_API_KEY, timeoutMs: shared.timeoutMs }),
  currencies: () => ({ codes: ['EUR', 'GBP'], message: 'Example Pay takes EUR and GBP only' }),
  webhook: (env) => ({
    authentication: 'signature',
    verify: (webhook) => {
      const presented = Buffer.from(webhook.header('example-signature') ?? '', 'hex');
      const expected = createHmac('sha256', env.EXAMPLE_WEBHOOK_SECRET).update(webhook.rawBody).digest();
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) return { valid: true };
      return { valid: false, reason: 'mismatch', code: 'signature_mismatch', message: 'Example-Signature does not match', field: 'Example-Signature' };
    },
    bodySchema: webhookEventSchema.transform((event) => ({
      eventId: event.eventId,
      reference: event.payment.reference,
      status: event.payment.status,
      providerPaymentId: event.payment.id,
      type: event.type,
    })),
  }),
});
