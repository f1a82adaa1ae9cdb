import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { OPERATOR_SESSION_COOKIE } from './operator-auth';
import type { CreatePaymentRules } from './payment-schemas';
import { PUBLIC_SECURITY, type RouteDoc } from './route-docs';
import { codecRouteDocs } from './routes/codec';
import { demoRouteDocs } from './routes/demo';
import { eventRouteDocs } from './routes/events';
import { healthRouteDocs } from './routes/health';
import { metricsRouteDocs } from './routes/metrics';
import { operationsRouteDocs } from './routes/operations';
import { operatorLoginRouteDocs } from './routes/operator-login';
import { paymentRouteDocs } from './routes/payments';
import { reservationRouteDocs } from './routes/reservations';
import { webhookRouteDocs } from './routes/webhooks';

const openApiRouteDoc: RouteDoc = {
  tags: ['health'],
  security: PUBLIC_SECURITY,
  method: 'get',
  path: '/openapi.json',
  summary: 'This document',
  responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: z.object({ openapi: z.string() }).catchall(z.unknown()) } } } },
};

/** Every route the app mounts, documented by the routes file that mounts it. */
export function allRouteDocs(rules: CreatePaymentRules, options: { demo: boolean }): RouteDoc[] {
  return [
    ...healthRouteDocs(),
    ...metricsRouteDocs(),
    openApiRouteDoc,
    ...webhookRouteDocs(rules.providers),
    ...codecRouteDocs(),
    ...operatorLoginRouteDocs(),
    ...operationsRouteDocs(),
    ...(options.demo ? demoRouteDocs() : []),
    ...paymentRouteDocs(rules),
    ...reservationRouteDocs(rules),
    ...eventRouteDocs(),
  ];
}

/** The API as OpenAPI 3.1, generated from the zod schemas the routes validate requests and type answers with. */
export function buildOpenApiDocument(rules: CreatePaymentRules, options: { demo: boolean } = { demo: false }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'merchantKey', { type: 'http', scheme: 'bearer', description: "the merchant's API key" });
  registry.registerComponent('securitySchemes', 'operatorKey', { type: 'http', scheme: 'bearer', description: 'an operator key' });
  registry.registerComponent('securitySchemes', 'operatorSession', { type: 'apiKey', in: 'cookie', name: OPERATOR_SESSION_COOKIE, description: 'the session from POST /ops/login' });
  for (const route of allRouteDocs(rules, options)) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Durable payments API',
      version: '1.0.0',
      description:
        'Server-to-server card payments on Temporal. A repeated request (same reference or Idempotency-Key) returns the same ' +
        'payment for as long as the Temporal namespace retains the workflow (its retention period).',
    },
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;
