import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Router } from 'express';
import { merchantEventLogId } from '../../domain/merchant-event';
import { merchantEventsAfterQuery, redeliverMerchantEventUpdate } from '../../workflows/messages';
import type { EventsPage } from '../../workflows/merchant-event-log-types';
import { ApiError, parseOrThrow } from '../api-error';
import { eventIdParamsSchema, listEventsQuerySchema } from '../event-schemas';
import { requireMerchantId } from '../merchant-auth';
import { toApiError } from '../temporal-errors';

/**
 * Catch-up and redelivery of a merchant's events, read from its event log workflow (the recent window, in the
 * order the log took them). A merchant only ever sees its own log: the log's id is derived from the API key.
 */
export function eventRoutes(options: { client: Client; taskQueue: string }): Router {
  const router = Router();
  const logOf = (merchantId: string) => options.client.workflow.getHandle(merchantEventLogId(merchantId, options.taskQueue));

  router.get('/v1/events', async (req, res) => {
    const merchantId = requireMerchantId(req);
    const { after, limit } = parseOrThrow(listEventsQuerySchema, req.query, 'query');
    let page: EventsPage;
    try {
      page = await logOf(merchantId).query(merchantEventsAfterQuery, { after, limit });
    } catch (error) {
      // No event yet: the log starts with the merchant's first event.
      if (!(error instanceof WorkflowNotFoundError)) throw toApiError(error, 'list_events');
      page = { events: [], nextCursor: after, hasMore: false };
    }
    res.json({
      data: page.events.map(({ cursor, ...event }) => ({ ...event, cursor: String(cursor) })),
      nextCursor: String(page.nextCursor),
      hasMore: page.hasMore,
      ...(page.oldestCursor !== undefined ? { oldestCursor: String(page.oldestCursor) } : {}),
    });
  });

  router.post('/v1/events/:id/redeliver', async (req, res) => {
    const merchantId = requireMerchantId(req);
    const { id } = parseOrThrow(eventIdParamsSchema, req.params, 'params');
    try {
      const { cursor, ...event } = await logOf(merchantId).executeUpdate(redeliverMerchantEventUpdate, { args: [id] });
      res.status(202).json({ ...event, cursor: String(cursor) });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) {
        throw new ApiError(404, 'event_not_found', 'no such event among the recent events', 'id');
      }
      throw toApiError(error, 'redeliver');
    }
  });
  return router;
}
