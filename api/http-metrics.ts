import type { RequestHandler } from 'express';
import { httpRequestDuration } from '../infra/observability/metrics';
import { routeLabel } from './route-label';

/**
 * Times every request and labels it with the matched route's pattern (routeLabel). Requests no route took (404s, or refused before a route
 * matched, such as a 401) are labelled "unmatched".
 */
export function httpMetrics(): RequestHandler {
  return (req, res, next) => {
    const stop = httpRequestDuration.startTimer();
    res.on('finish', () => {
      stop({ method: req.method, route: routeLabel(req, res) ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  };
}
