import express, { Router } from 'express';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import { timingSafeEqual } from 'node:crypto';
import { trustistEventId, trustistWebhookEventSchema } from '../../activities/trustist/webhook-event';
import { turnstayWebhookEventSchema } from '../../activities/turnstay/webhook-event';
import { verifyTurnstaySignature } from '../../activities/turnstay/webhook-signature';
import { providerEventUpdate } from '../../workflows/messages';
import { HINT_REFILL_MS, WebhookRefusal } from '../../workflows/webhook-hints';
import { unmatchedWebhookSignal, webhookInboxWorkflow, webhookInboxWorkflowId } from '../../workflows/webhook-inbox';
import { webhookVerificationsRefused } from '../../infra/observability/metrics';
import { z } from 'zod';
import { ApiError, parseOrThrow } from '../api-error';
import { errorResponses, jsonContent, jsonResponse, PUBLIC_SECURITY, type RouteDoc } from '../route-docs';
import { RecentIds } from '../recent-ids';
import { PerKeyRateLimit } from '../webhook-rate-limit';

export interface WebhookRoutesOptions {
  client: Client;
  taskQueue: string;
  turnstaySecrets: string[];
  toleranceSeconds: number;
  /** Trustist signs nothing: its webhooks come to a URL with this secret in the path. */
  trustistPathSecret: string;
  log: Logger;
}

const MAX_WEBHOOK_BYTES = 64 * 1024;
/** Per payment reference and API process: 5 webhooks at once, then one every 2 s; the rest are answered 429. */
const WEBHOOKS_BURST = 5;
const WEBHOOK_DELIVERY_TIMEOUT_MS = 10_000;
const WEBHOOK_REFILL_MS = 2_000;

const DELIVERY_OUTCOMES = ['signalled', 'duplicate', 'ignored', 'unmatched'] as const;
type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];
const webhookAnswerSchema = z
  .object({ received: z.literal(true), outcome: z.enum(DELIVERY_OUTCOMES).describe('signalled: the payment took the hint; unmatched: no running payment names it (kept in an inbox for operators)') })
  .strict();

/**
 * Provider webhooks become hints to the payment (an update its validator may refuse, leaving no history). Forged
 * or stale ones are refused (401); duplicates are dropped here and again inside the workflow; a flood naming one
 * payment is answered 429 here or by the payment; events naming no known payment are acknowledged and kept in an inbox.
 */
export function webhookRoutes(options: WebhookRoutesOptions): Router {
  const router = Router();
  const { client, log } = options;
  const recent = new RecentIds(10_000);
  const perReference = new PerKeyRateLimit(WEBHOOKS_BURST, WEBHOOK_REFILL_MS);
  const rawJson = express.raw({ type: () => true, limit: MAX_WEBHOOK_BYTES });

  const deliver = async (provider: string, eventId: string, reference: string, status: string, providerPaymentId?: string): Promise<DeliveryOutcome> => {
    if (recent.has(`${provider}:${eventId}`)) return 'duplicate';
    const rateKey = `${provider}:${reference}`;
    if (!perReference.take(rateKey)) throw throttled(perReference.retryAfterSeconds(rateKey));
    try {
      if (!reference.startsWith('payment-')) throw new WorkflowNotFoundError('not a payment reference', reference, undefined);
      const hint = { eventId, status, ...(providerPaymentId ? { providerPaymentId } : {}) };
      // An update needs a worker to judge it: without one, answer in time so the provider delivers again later.
      await client.connection.withDeadline(Date.now() + WEBHOOK_DELIVERY_TIMEOUT_MS, () =>
        client.workflow.getHandle(reference).executeUpdate(providerEventUpdate, { args: [hint] }));
      recent.add(`${provider}:${eventId}`);
      return 'signalled';
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) {
        const refusal = error.cause instanceof ApplicationFailure ? error.cause.type : undefined;
        // The payment's own limit: the provider should deliver again later, when a hint can be taken.
        if (refusal === WebhookRefusal.Throttled) throw throttled(Math.ceil(HINT_REFILL_MS / 1_000));
        recent.add(`${provider}:${eventId}`);
        return refusal === WebhookRefusal.Duplicate ? 'duplicate' : 'ignored';
      }
      if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError || error instanceof ServiceError) {
        throw new ApiError(503, 'temporarily_unavailable', 'the payment could not take the event now; deliver it again later', undefined, { retryAfterSeconds: 5 });
      }
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      await client.workflow.signalWithStart(webhookInboxWorkflow, {
        workflowId: webhookInboxWorkflowId(provider, options.taskQueue),
        taskQueue: options.taskQueue,
        args: [[]],
        signal: unmatchedWebhookSignal,
        signalArgs: [{ provider, eventId, reference, status, receivedAt: new Date().toISOString(), reason: 'no running payment with this reference' }],
      });
      recent.add(`${provider}:${eventId}`);
      return 'unmatched';
    }
  };

  router.post('/webhooks/turnstay', rawJson, async (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = verifyTurnstaySignature(rawBody, req.header('turnstay-signature'), options.turnstaySecrets, options.toleranceSeconds);
    if (!verdict.valid) {
      log.warn({ provider: 'turnstay', reason: verdict.reason, bytes: rawBody.length }, 'webhook rejected');
      webhookVerificationsRefused.inc({ provider: 'turnstay', reason: verdict.reason });
      throw new ApiError(401, `signature_${verdict.reason}`, `Turnstay-Signature is ${verdict.reason}`, 'Turnstay-Signature');
    }
    const event = parseOrThrow(turnstayWebhookEventSchema, parseJson(rawBody), 'body');
    const reference = event.data.object.merchant_reference ?? '';
    const outcome = await deliver('turnstay', event.id, reference, event.data.object.status);
    log.info({ provider: 'turnstay', eventId: event.id, type: event.type, reference, outcome }, 'webhook received');
    res.status(200).json({ received: true, outcome } satisfies z.infer<typeof webhookAnswerSchema>);
  });

  router.post('/webhooks/trustist/:secret', rawJson, async (req, res) => {
    const presented = Buffer.from(String(req.params.secret));
    const expected = Buffer.from(options.trustistPathSecret);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
      log.warn({ provider: 'trustist', reason: 'wrong path secret' }, 'webhook rejected');
      webhookVerificationsRefused.inc({ provider: 'trustist', reason: 'wrong_path_secret' });
      throw new ApiError(401, 'unknown_webhook_url', 'this webhook URL is not valid', 'url');
    }
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const event = parseOrThrow(trustistWebhookEventSchema, parseJson(rawBody), 'body');
    const eventId = trustistEventId(event);
    const outcome = await deliver('trustist', eventId, event.reference, event.status, event.paymentId);
    log.info({ provider: 'trustist', eventId, eventType: event.eventType, reference: event.reference, outcome }, 'webhook received');
    res.status(200).json({ received: true, outcome } satisfies z.infer<typeof webhookAnswerSchema>);
  });

  return router;
}

/** The provider webhook routes as `/openapi.json` documents them (callers are the providers, not merchants). */
export function webhookRouteDocs(): RouteDoc[] {
  const common = { tags: ['provider webhooks'], security: PUBLIC_SECURITY };
  const responses = { 200: jsonResponse('received', webhookAnswerSchema), ...errorResponses(400, 401, 413, 429, 503) };
  return [
    {
      ...common,
      method: 'post',
      path: '/webhooks/turnstay',
      summary: 'TurnStay events, signed with Turnstay-Signature (t=<unix seconds>,v1=<HMAC-SHA256>)',
      request: { headers: z.object({ 'Turnstay-Signature': z.string().optional() }), body: { required: true, content: jsonContent(turnstayWebhookEventSchema) } },
      responses,
    },
    {
      ...common,
      method: 'post',
      path: '/webhooks/trustist/{secret}',
      summary: 'Trustist events (unsigned: the URL carries a secret, and the payment confirms with Trustist before acting)',
      request: { params: z.object({ secret: z.string() }), body: { required: true, content: jsonContent(trustistWebhookEventSchema) } },
      responses,
    },
  ];
}

function throttled(retryAfterSeconds: number): ApiError {
  return new ApiError(429, 'webhook_rate_limited', 'too many webhooks for this payment; deliver again later', 'reference', { retryAfterSeconds: Math.max(1, retryAfterSeconds) });
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ApiError(400, 'invalid_json', 'webhook body is not valid JSON', 'body');
  }
}
