import { Router } from 'express';
import { z } from 'zod';
import { metricsRegistry } from '../../infra/observability/metrics';
import { PUBLIC_SECURITY, type RouteDoc } from '../route-docs';

export type MetricsScrape = () => Promise<{ contentType: string; body: string }>;

const ownMetricsOnly: MetricsScrape = async () => ({ contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() });

/** GET /metrics in the Prometheus text format: counts and latencies only, never card data or payment ids. */
export function metricsRoutes(scrape: MetricsScrape = ownMetricsOnly): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    const { contentType, body } = await scrape();
    res.type(contentType).send(body);
  });
  return router;
}

/** The metrics route as `/openapi.json` documents it. */
export function metricsRouteDocs(): RouteDoc[] {
  return [
    {
      tags: ['health'],
      security: PUBLIC_SECURITY,
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of this process',
      responses: { 200: { description: 'the Prometheus text format', content: { 'text/plain': { schema: z.string() } } } },
    },
  ];
}
