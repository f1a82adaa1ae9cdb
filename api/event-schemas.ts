import { z } from 'zod';
import { MERCHANT_EVENT_TYPES } from '../domain/merchant-event';
import { PAYMENT_STATUSES } from '../domain/payment-status';
import { cardSummarySchema, nextActionSchema } from './payment-response';
import { failureSchema } from './refund-response';

/** `GET /v1/events`: the cursor to list after (0: from the oldest kept) and a page size. */
export const listEventsQuerySchema = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, 'must be a cursor from an earlier listing (digits)')
      .transform(Number)
      .default(0)
      .describe("a cursor: the previous answer's nextCursor (default 0, from the oldest kept)"),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9._-]{1,200}$/;

export const eventIdParamsSchema = z.object({ id: z.string().regex(EVENT_ID_PATTERN, 'is not an event id') });

const paymentEventDataSchema = z
  .object({
    object: z.literal('payment'),
    paymentId: z.string(),
    reference: z.string(),
    sequence: z.number().int().describe('grows with every event of this payment'),
    status: z.enum(PAYMENT_STATUSES),
    provider: z.string(),
    amountMinor: z.number().int(),
    currency: z.string(),
    refundedMinor: z.number().int(),
    card: cardSummarySchema.optional(),
    nextAction: nextActionSchema.optional(),
    failure: failureSchema.optional(),
    refund: z.object({ id: z.string().optional(), amountMinor: z.number().int(), partial: z.boolean() }).strict().optional(),
    reservationId: z.string().optional(),
  })
  .strict();

const reservationEventDataSchema = z
  .object({
    object: z.literal('reservation'),
    reservationId: z.string(),
    reference: z.string(),
    sequence: z.number().int().describe('grows with every event of this reservation'),
    status: z.string(),
    amountMinor: z.number().int(),
    paidMinor: z.number().int(),
    refundedMinor: z.number().int(),
    currency: z.string(),
    card: cardSummarySchema.optional(),
    charge: z
      .object({
        id: z.string(),
        label: z.string(),
        amountMinor: z.number().int(),
        attempt: z.number().int(),
        paymentId: z.string().optional(),
        failure: failureSchema.optional(),
        nextAttemptAt: z.string().optional(),
      })
      .strict()
      .optional(),
    failure: failureSchema.optional(),
  })
  .strict();

/** An event as delivered (Standard Webhooks body { type, timestamp, data }; id is the webhook-id header), with its place in the log. */
export const merchantEventResponseSchema = z
  .object({
    id: z.string().regex(EVENT_ID_PATTERN),
    type: z.enum(MERCHANT_EVENT_TYPES),
    timestamp: z.iso.datetime(),
    data: z.discriminatedUnion('object', [paymentEventDataSchema, reservationEventDataSchema]),
    cursor: z.string(),
  })
  .strict()
  .meta({ id: 'MerchantEvent' });
export type MerchantEventResponse = z.infer<typeof merchantEventResponseSchema>;

export const eventsPageResponseSchema = z
  .object({
    data: z.array(merchantEventResponseSchema),
    nextCursor: z.string().describe('pass as `after` to read on'),
    hasMore: z.boolean(),
    oldestCursor: z.string().optional().describe('the oldest cursor still kept (the window keeps the last 1,000 events)'),
  })
  .strict()
  .meta({ id: 'EventsPage' });
export type EventsPageResponse = z.infer<typeof eventsPageResponseSchema>;
