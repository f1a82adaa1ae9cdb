import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { Router } from 'express';
import { merchantEventLogId } from '../../domain/merchant-event';
import { merchantEventsAfterQuery, redeliverMerchantEventUpdate } from '../../workflows/messages';
import type { EventsPage } from '../../workflows/merchant-event-log-types';
import { ApiError, parseOrThrow } from '../api-error';
import { eventIdParamsSchema, eventsPageResponseSchema, listEventsQuerySchema, merchantEventResponseSchema, type EventsPageResponse, type MerchantEventResponse } from '../event-schemas';
import { errorResponses, jsonResponse, MERCHANT_SECURITY, type RouteDoc } from '../route-docs';
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
    } satisfies EventsPageResponse);
  });

  router.post('/v1/events/:id/redeliver', async (req, res) => {
    const merchantId = requireMerchantId(req);
    const { id } = parseOrThrow(eventIdParamsSchema, req.params, 'params');
    try {
      const { cursor, ...event } = await logOf(merchantId).executeUpdate(redeliverMerchantEventUpdate, { args: [id] });
      res.status(202).json({ ...event, cursor: String(cursor) } satisfies MerchantEventResponse);
    } catch (error) {
      if (error instanceof WorkflowNotFoundError || error instanceof WorkflowUpdateFailedError) {
        throw new ApiError(404, 'event_not_found', 'no such event among the recent events', 'id');
      }
      throw toApiError(error, 'redeliver');
    }
  });
  return router;
}

/** The event routes as `/openapi.json` documents them. */
export function eventRouteDocs(): RouteDoc[] {
  const common = { tags: ['events'], security: MERCHANT_SECURITY };
  return [
    {
      ...common,
      method: 'get',
      path: '/v1/events',
      summary: "The merchant's recent events in the order they were logged, after a cursor (catch-up for a receiver that was down)",
      request: { query: listEventsQuerySchema },
      responses: { 200: jsonResponse('events with their cursor, nextCursor, hasMore, oldestCursor', eventsPageResponseSchema), ...errorResponses(400, 401, 503) },
    },
    {
      ...common,
      method: 'post',
      path: '/v1/events/{id}/redeliver',
      summary: "Send one recent event to the merchant's endpoints again (same webhook-id)",
      request: { params: eventIdParamsSchema },
      responses: { 202: jsonResponse('the event, queued for delivery', merchantEventResponseSchema), ...errorResponses(400, 401, 404, 413, 503) },
    },
  ];
}
