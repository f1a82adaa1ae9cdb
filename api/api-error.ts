import type { ErrorRequestHandler } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { loggablePath } from './loggable-path';

/**
 * The body of every error answer. A 400 names the offending field (a body path such as stay.checkoutAt, a parameter,
 * or a header); a 409 payment_closed means the payment has finished; a 503 is safe to retry with the same Idempotency-Key.
 */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().optional(),
      issues: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('every validation issue (400)'),
      retryAfterSeconds: z.number().int().optional().describe('as the Retry-After header (429, 503)'),
    }).catchall(z.unknown()),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** Every error a client can cause is one of these: a status, a stable code, a message, the offending field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** Where a value came from: a part of the request, or the name of a single header (then it is the field). */
export type InputLocation = 'body' | 'query' | 'params' | 'headers' | 'Idempotency-Key';

export function validationError(error: z.ZodError, where: InputLocation): ApiError {
  const issues = error.issues.map((issue) => ({ field: fieldOf(issue) || where, message: issue.message }));
  const first = issues[0] ?? { field: where, message: 'invalid' };
  return new ApiError(400, 'validation_failed', `${first.field}: ${first.message}`, first.field, { issues });
}

/** The issue's path; for an unknown key, the key itself (the field the client should not have sent). */
function fieldOf(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' && issue.keys.length > 0 ? [...issue.path, issue.keys[0]] : issue.path;
  return path.map(String).join('.');
}

export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: InputLocation): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw validationError(parsed.error, where);
  return parsed.data;
}

/** Last middleware: known errors become their JSON; body-parser errors become 400/413; anything else a bare 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof ApiError) {
      if (typeof error.details?.retryAfterSeconds === 'number') res.setHeader('Retry-After', String(error.details.retryAfterSeconds));
      res.status(error.status).json({ error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}), ...error.details } } satisfies ErrorBody);
      return;
    }
    const status = (error as { status?: number; type?: string }).status;
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'payload_too_large', message: 'request body is too large', field: 'body' } } satisfies ErrorBody);
      return;
    }
    if (type === 'entity.parse.failed' || type === 'encoding.unsupported' || type === 'charset.unsupported') {
      res.status(400).json({ error: { code: 'invalid_json', message: 'request body is not valid JSON', field: 'body' } } satisfies ErrorBody);
      return;
    }
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'bad_request', message: 'the request could not be read', field: 'body' } } satisfies ErrorBody);
      return;
    }
    // Only the route and the error's class go to the log: messages could quote request bodies.
    log.error({ method: req.method, path: loggablePath(req.path), errorName: (error as Error)?.name, errorMessage: safeMessage(error) }, 'unexpected API error');
    res.status(500).json({ error: { code: 'internal_error', message: 'internal error' } } satisfies ErrorBody);
  };
}

function safeMessage(error: unknown): string | undefined {
  const message = (error as Error)?.message;
  return typeof message === 'string' ? message.replace(/\d{12,19}/g, '[digits]') : undefined;
}
