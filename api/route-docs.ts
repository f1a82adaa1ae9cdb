import type { RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { errorBodySchema } from './api-error';

/** One route as `/openapi.json` documents it; each routes file exports the docs of the routes it mounts. */
export type RouteDoc = RouteConfig;

/** Who may call a route: a merchant API key, an operator (key or session cookie), or anyone (webhooks, health). */
type Security = NonNullable<RouteConfig['security']>;
export const MERCHANT_SECURITY: Security = [{ merchantKey: [] }];
export const OPERATOR_SECURITY: Security = [{ operatorKey: [] }, { operatorSession: [] }];
export const PUBLIC_SECURITY: Security = [];

export const jsonContent = (schema: z.ZodType) => ({ 'application/json': { schema } });

export const jsonResponse = (description: string, schema: z.ZodType) => ({ description, content: jsonContent(schema) });

/** Error answers share one body: `{ error: { code, message, field } }`. */
export function errorResponses(...statuses: number[]): RouteConfig['responses'] {
  return Object.fromEntries(statuses.map((status) => [status, jsonResponse(ERROR_DESCRIPTIONS[status] ?? 'error', errorBodySchema)]));
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'invalid input: error.field names the offending body path, parameter or header',
  401: 'missing or invalid credentials',
  404: 'no such resource (or not the caller\'s)',
  409: 'conflict with the current state, or an Idempotency-Key reused with another request',
  413: 'request body too large',
  429: 'rate limited: deliver again after Retry-After',
  503: 'temporarily unavailable: safe to retry (with the same Idempotency-Key)',
};
