import { z } from 'zod';

/** TurnStay webhook envelope (NOTES.md: docs.turnstay.com/webhooks). Unknown extra fields are tolerated. */
export const turnstayWebhookEventSchema = z.object({
  id: z.string().min(1).max(200),
  object: z.literal('event'),
  type: z.string().min(1).max(200),
  created_at: z.union([z.string(), z.number()]),
  data: z.object({
    object: z.object({
      id: z.string().min(1).max(200),
      status: z.string().min(1).max(50),
      merchant_reference: z.string().max(200).nullish(),
    }),
  }),
});

export type TurnstayWebhookEvent = z.infer<typeof turnstayWebhookEventSchema>;
