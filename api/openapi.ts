import { z } from 'zod';
import { MERCHANT_EVENT_TYPES } from '../domain/merchant-event';
import { REFUND_STATUSES } from '../workflows/refund-types';
import { EVENT_ID_PATTERN } from './event-schemas';
import {
  cancelBodySchema,
  challengeCompleteBodySchema,
  createPaymentBodySchema,
  listPaymentsQuerySchema,
  refundBodySchema,
  type CreatePaymentRules,
} from './payment-schemas';

const errorSchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
  })
  .describe('A 400 names the offending field (a body path such as stay.checkoutAt, a parameter, or a header); a 409 payment_closed means the payment has finished; a 503 is safe to retry with the same Idempotency-Key.');

function jsonSchema(schema: z.ZodType) {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }]));

const paymentIdParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^payment-[A-Za-z0-9._-]{1,160}$' } };
const paymentResponse = { description: 'the payment', content: { 'application/json': { schema: { $ref: '#/components/schemas/Payment' } } } };
const refundResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/RefundObject' } } } });

const refundObjectSchema = {
  type: 'object',
  required: ['id', 'paymentId', 'status', 'amountMinor', 'currency', 'reason', 'createdAt'],
  properties: {
    id: { type: 'string', pattern: '^re_', description: "derived from the request's Idempotency-Key; the provider's idempotency key derives from it" },
    paymentId: { type: 'string' },
    status: { type: 'string', enum: [...REFUND_STATUSES], description: 'PENDING: the provider has not told yet; the payment keeps asking it' },
    amountMinor: { type: 'integer' },
    currency: { type: 'string' },
    reason: { type: 'string' },
    createdAt: { type: 'string', format: 'date-time' },
    providerRefundId: { type: 'string' },
    failure: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};

/** The merchant API as OpenAPI 3.1, generated from the same zod schemas the routes validate with. */
export function buildOpenApiDocument(rules: CreatePaymentRules) {
  const listQuery = jsonSchema(listPaymentsQuerySchema) as { properties?: Record<string, unknown> };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Durable payments API',
      version: '1.0.0',
      description:
        'Server-to-server card payments on Temporal. A repeated request (same reference or Idempotency-Key) returns the same ' +
        'payment for as long as the Temporal namespace retains the workflow (its retention period).',
    },
    components: {
      securitySchemes: { merchantKey: { type: 'http', scheme: 'bearer' } },
      schemas: {
        CreatePayment: jsonSchema(createPaymentBodySchema(rules)),
        Refund: jsonSchema(refundBodySchema),
        RefundObject: refundObjectSchema,
        Cancel: jsonSchema(cancelBodySchema),
        ChallengeComplete: jsonSchema(challengeCompleteBodySchema),
        Error: jsonSchema(errorSchema),
        MerchantEvent: {
          type: 'object',
          required: ['id', 'type', 'timestamp', 'data', 'cursor'],
          description: 'As delivered (Standard Webhooks body { type, timestamp, data }; id is the webhook-id header), with its place in the log',
          properties: {
            id: { type: 'string', pattern: EVENT_ID_PATTERN.source },
            type: { type: 'string', enum: [...MERCHANT_EVENT_TYPES] },
            timestamp: { type: 'string', format: 'date-time' },
            data: { type: 'object', description: 'the payment or reservation: status, sequence (grows per payment/reservation), amounts, card brand and last four' },
            cursor: { type: 'string' },
          },
        },
        Payment: {
          type: 'object',
          required: ['id', 'status', 'provider', 'reference', 'amountMinor', 'currency', 'refundedMinor', 'refundableMinor', 'refunds', 'transitions'],
          properties: {
            id: { type: 'string' },
            status: { type: 'string', enum: ['CREATED', 'SUBMITTED', 'PENDING_ACTION', 'COMPLETE', 'DECLINED', 'FAILED', 'EXPIRED', 'CANCELLED', 'REFUNDED'] },
            provider: { type: 'string', enum: ['turnstay', 'trustist'] },
            reference: { type: 'string' },
            amountMinor: { type: 'integer' },
            currency: { type: 'string' },
            card: {
              type: 'object',
              description: 'brand and last four; with method hosted_form absent until the provider reports the card entered',
              properties: { brand: { type: 'string' }, last4: { type: 'string' } },
            },
            nextAction: {
              type: 'object',
              description: 'PENDING_ACTION: the 3-D Secure challenge, or with method hosted_form the TurnStay Secure Card Service form, to show in an iframe or redirect to',
              properties: { type: { const: 'redirect' }, url: { type: 'string' } },
            },
            failure: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
            refundedMinor: { type: 'integer', description: 'sum of SUCCEEDED refunds' },
            refundableMinor: { type: 'integer', description: 'what a new refund may take: the amount less succeeded and pending refunds' },
            refunds: { type: 'array', items: { $ref: '#/components/schemas/RefundObject' } },
            transitions: { type: 'array', items: { type: 'object' } },
          },
        },
      },
    },
    security: [{ merchantKey: [] }],
    paths: {
      '/v1/payments': {
        post: {
          summary: 'Start a payment; answers with its first outcome (COMPLETE, DECLINED, PENDING_ACTION with the challenge URL)',
          description:
            'With `method: "hosted_form"` (TurnStay only, no `card`) the first outcome is PENDING_ACTION with `nextAction.url`, ' +
            "TurnStay's hosted card form (Option A): the shopper types the card there, never through this API; the payment then " +
            'ends COMPLETE, FAILED, or EXPIRED when the form is abandoned (the intent is cancelled at TurnStay). ' +
            'After a 503, a timeout or a dropped connection, repeat the same request with the same Idempotency-Key: it answers ' +
            'the same payment, and if that payment lost the card before the provider saw it, the repeat hands its card over ' +
            '(within CARD_HANDOVER_WINDOW_MS, default 2 minutes), so the payment is charged once.',
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreatePayment' } } } },
          responses: { '201': paymentResponse, '200': paymentResponse, ...errorResponses(400, 401, 409, 413, 503) },
        },
        get: {
          summary: "List the merchant's payments by status, provider or reference",
          parameters: Object.keys(listQuery.properties ?? {}).map((name) => ({ name, in: 'query', required: false, schema: listQuery.properties?.[name] })),
          responses: { '200': { description: 'payments', content: { 'application/json': { schema: { type: 'object' } } } }, ...errorResponses(400, 401) },
        },
      },
      '/v1/payments/{id}': {
        get: { summary: 'Read a payment', parameters: [paymentIdParameter], responses: { '200': paymentResponse, ...errorResponses(400, 401, 404) } },
      },
      '/v1/payments/{id}/challenge-complete': {
        post: {
          summary: "Tell the payment the shopper finished the 3-D Secure challenge (the challenge page's message)",
          parameters: [paymentIdParameter],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/ChallengeComplete' } } } },
          responses: { '202': { description: 'accepted' }, ...errorResponses(400, 401, 404, 409, 503) },
        },
      },
      '/v1/payments/{id}/cancel': {
        post: {
          summary: 'Cancel: before a charge nothing is charged; after a charge it is refunded (409 refund_in_progress while a refund is PENDING)',
          parameters: [paymentIdParameter],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Cancel' } } } },
          responses: { '200': paymentResponse, ...errorResponses(400, 401, 404, 409, 503) },
        },
      },
      '/v1/events': {
        get: {
          summary: "The merchant's recent events in the order they were logged, after a cursor (catch-up for a receiver that was down)",
          parameters: [
            { name: 'after', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d{1,15}$' }, description: "a cursor: the previous answer's nextCursor (default 0, from the oldest kept)" },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
          ],
          responses: {
            '200': {
              description: 'data (events with their cursor), nextCursor, hasMore, oldestCursor (the window keeps the last 1,000 events)',
              content: { 'application/json': { schema: { type: 'object', properties: { data: { type: 'array', items: { $ref: '#/components/schemas/MerchantEvent' } } } } } },
            },
            ...errorResponses(400, 401, 503),
          },
        },
      },
      '/v1/events/{id}/redeliver': {
        post: {
          summary: "Send one recent event to the merchant's endpoints again (same webhook-id)",
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: EVENT_ID_PATTERN.source } }],
          responses: {
            '202': { description: 'the event, queued for delivery', content: { 'application/json': { schema: { $ref: '#/components/schemas/MerchantEvent' } } } },
            ...errorResponses(400, 401, 404, 503),
          },
        },
      },
      '/v1/payments/{id}/refund': {
        post: {
          summary: 'Refund all or part of a COMPLETE payment (the whole refundable rest when amountMinor is absent)',
          description:
            'The same Idempotency-Key with the same body returns the same refund (also after the payment has closed); with another ' +
            'body it is 409 idempotency_conflict. Without a key every request is a new refund. 409 codes: amount_exceeds_refundable ' +
            '(pending refunds count), refund_refused (the provider said no; the body carries the FAILED refund), refund_in_progress, ' +
            'cannot_refund. A lost provider answer is never refund_refused: it is 202 with the refund PENDING, resolved in the background.',
          parameters: [paymentIdParameter, { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Refund' } } } },
          responses: {
            '200': refundResponse('the refund, SUCCEEDED'),
            '202': refundResponse('the refund, PENDING: the provider has not answered within the call; read the payment for its outcome'),
            ...errorResponses(400, 401, 404, 409, 503),
          },
        },
      },
    },
  };
}
