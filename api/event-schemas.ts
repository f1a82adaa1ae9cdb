import { z } from 'zod';

/** `GET /v1/events`: the cursor to list after (0: from the oldest kept) and a page size. */
export const listEventsQuerySchema = z
  .object({
    after: z.string().regex(/^\d{1,15}$/, 'must be a cursor from an earlier listing (digits)').transform(Number).default(0),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

export const EVENT_ID_PATTERN = /^evt_[A-Za-z0-9._-]{1,200}$/;

export const eventIdParamsSchema = z.object({ id: z.string().regex(EVENT_ID_PATTERN, 'is not an event id') });
