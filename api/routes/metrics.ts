import { Router } from 'express';
import { metricsRegistry } from '../../infra/observability/metrics';

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
