import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { loggablePath } from './loggable-path';

/** The path without its query string (query strings may carry secrets), made fit for logs. */
const pathOf = (req: IncomingMessage & { originalUrl?: string }) => loggablePath((req.originalUrl ?? req.url ?? '').split('?')[0] ?? '');

/**
 * One `request` line per answered request: method, path, status and milliseconds only. Bodies may carry card data,
 * query strings and headers secrets, so neither the default request serializer nor headers are used.
 */
export function requestLogging(log: Logger) {
  const line = (req: IncomingMessage, res: ServerResponse, responseTime: unknown) => ({ method: req.method, path: pathOf(req), status: res.statusCode, ms: responseTime });
  return pinoHttp({
    logger: log,
    quietResLogger: true,
    serializers: { req: (req: { method?: string; raw: IncomingMessage }) => ({ method: req.method, path: pathOf(req.raw) }) },
    customSuccessObject: (req, res, value: { responseTime?: number }) => line(req, res, value.responseTime),
    customErrorObject: (req, res, _error, value: { responseTime?: number }) => line(req, res, value.responseTime),
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request',
  });
}
