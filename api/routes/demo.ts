import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';

/** GET /demo: a checkout page for rehearsing against the sandboxes (enabled by npm start, never in production). */
export function demoRoutes(options: { merchantKey: string }): Router {
  const router = Router();
  const page = readFileSync(join(__dirname, '..', 'demo', 'checkout.html'), 'utf8').replace('__DEMO_KEY__', JSON.stringify(options.merchantKey));
  router.get('/demo', (_req, res) => {
    res.type('html').send(page);
  });
  return router;
}
