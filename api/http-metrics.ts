import type { RequestHandler } from 'express';
import { httpRequestDuration } from '../infra/observability/metrics';

/**
 * Times every request and labels it with the matched route's pattern (`/v1/payments/:id`), never the path itself:
 * paths carry payment ids and the Trustist webhook secret. Requests no route took (404s, or refused before a route
 * matched, such as a 401) are labelled "unmatched".
 */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const stop = httpRequestDuration.startTimer();
    res.on('finish', () => {
      const pattern = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof pattern === 'string' ? `${req.baseUrl}${pattern}` : 'unmatched';
      stop({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
}
