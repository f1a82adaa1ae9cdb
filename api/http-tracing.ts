import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { routeLabel } from './route-label';

const tracer = trace.getTracer('payments-api');

/**
 * A server span per request, the parent of the Temporal client's spans (so a trace runs from `POST /v1/payments`
 * through the workflow to each provider call). Named and labelled by the route pattern only: paths carry payment
 * ids and the Trustist webhook secret, bodies card data. Without a registered tracer provider this is a no-op span.
 */
export function httpTracing(): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(`${req.method}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    res.on('finish', () => {
      const route = routeLabel(req, res);
      if (route) {
        span.updateName(`${req.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    const active = trace.setSpan(parent, span);
    // Body parsers continue from the request's stream events: bound, they continue inside the span.
    context.bind(active, req);
    context.with(active, next);
  };
}
