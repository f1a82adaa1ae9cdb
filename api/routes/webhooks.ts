import express, { Router } from 'express';
import { ServiceError, WorkflowNotFoundError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from 'pino';
import type { ApiProvider } from '../../activities/provider-module';
import { providerEventUpdate } from '../../workflows/messages';
import { HINT_REFILL_MS, WebhookRefusal } from '../../workflows/webhook-hints';
import { unmatchedWebhookSignal, webhookInboxWorkflow, webhookInboxWorkflowId } from '../../workflows/webhook-inbox';
import { webhookVerificationsRefused } from '../../infra/observability/metrics';
import { z } from 'zod';
import { ApiError, parseOrThrow } from '../api-error';
import { errorResponses, jsonResponse, PUBLIC_SECURITY, type RouteDoc } from '../route-docs';
import { RecentIds } from '../recent-ids';
import { KNOWN_PROVIDER_LOCAL } from '../route-label';
import { PerKeyRateLimit } from '../webhook-rate-limit';

export interface WebhookRoutesOptions {
  client: Client;
  taskQueue: string;
  /** Each provider verifies and parses its own webhooks (activities/<provider>/module.ts). */
  providers: readonly ApiProvider[];
  toleranceSeconds: number;
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

  /**
   * One route for every provider: /webhooks/<provider> for signed webhooks, /webhooks/<provider>/<secret> for a
   * provider that signs nothing and authenticates by a secret URL instead.
   */
  const receive = async (req: express.Request, res: express.Response) => {
    const { provider: name, secret } = req.params as { provider: string; secret?: string };
    const provider = options.providers.find((candidate) => candidate.name === name);
    if (!provider) throw new ApiError(404, 'unknown_provider', 'no provider of this name receives webhooks here', 'provider');
    // A secret URL for a provider that signs, or no secret for one that does not: no such webhook URL.
    if ((provider.webhook.authentication === 'path_secret') !== (secret !== undefined)) {
      throw new ApiError(404, 'route_not_found', `no route ${req.method} /webhooks/${provider.name}${secret === undefined ? '' : '/[secret]'}`, 'path');
    }
    res.locals[KNOWN_PROVIDER_LOCAL] = provider.name;
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verdict = provider.webhook.verify({ rawBody, header: (header) => req.header(header), pathSecret: secret }, options.toleranceSeconds);
    if (!verdict.valid) {
      log.warn({ provider: provider.name, reason: verdict.reason, bytes: rawBody.length }, 'webhook rejected');
      webhookVerificationsRefused.inc({ provider: provider.name, reason: verdict.reason });
      throw new ApiError(401, verdict.code, verdict.message, verdict.field);
    }
    const event = parseOrThrow(provider.webhook.bodySchema, parseJson(rawBody), 'body');
    const outcome = await deliver(provider.name, event.eventId, event.reference, event.status, event.providerPaymentId);
    log.info({ provider: provider.name, eventId: event.eventId, type: event.type, reference: event.reference, outcome }, 'webhook received');
    res.status(200).json({ received: true, outcome } satisfies z.infer<typeof webhookAnswerSchema>);
  };
  router.post('/webhooks/:provider', rawJson, receive);
  router.post('/webhooks/:provider/:secret', rawJson, receive);

  return router;
}

/** The webhook routes as `/openapi.json` documents them (callers are the providers, not merchants). */
export function webhookRouteDocs(providers: readonly ApiProvider[]): RouteDoc[] {
  const named = (authentication: 'signature' | 'path_secret') => providers.filter((provider) => provider.webhook.authentication === authentication).map((provider) => provider.name);
  const responses = { 200: jsonResponse('received', webhookAnswerSchema), ...errorResponses(400, 401, 404, 413, 429, 503) };
  // Each provider's own body (its wire format); the provider's verification runs before the body is read.
  const body = { required: true, content: { 'application/json': { schema: z.object({}).catchall(z.unknown()) } } };
  const common = { tags: ['provider webhooks'], security: PUBLIC_SECURITY, method: 'post' as const, request: { body }, responses };
  const provider = (authentication: 'signature' | 'path_secret') =>
    z.string().describe(`a provider that authenticates its webhooks by ${authentication === 'signature' ? 'a signature header' : 'a secret URL'}: ${named(authentication).join(', ') || 'none'}`);
  return [
    { ...common, path: '/webhooks/{provider}', summary: 'Webhooks of a provider that signs them (its signature header is checked)', request: { ...common.request, params: z.object({ provider: provider('signature') }) } },
    {
      ...common,
      path: '/webhooks/{provider}/{secret}',
      summary: 'Webhooks of a provider that signs nothing: the URL carries a secret, and the payment confirms with the provider before acting',
      request: { ...common.request, params: z.object({ provider: provider('path_secret'), secret: z.string() }) },
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
