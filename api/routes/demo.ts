import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import { z } from 'zod';
import { PUBLIC_SECURITY, type RouteDoc } from '../route-docs';

/** GET /demo: a checkout page for rehearsing against the sandboxes (enabled by npm start, never in production). */
export function demoRoutes(options: { merchantKey: string }): Router {
  const router = Router();
  const page = readFileSync(join(__dirname, '..', 'demo', 'checkout.html'), 'utf8').replace('__DEMO_KEY__', JSON.stringify(options.merchantKey));
  router.get('/demo', (_req, res) => {
    res.type('html').send(page);
  });
  return router;
}

/** The demo route as `/openapi.json` documents it (only where the demo is enabled). */
export function demoRouteDocs(): RouteDoc[] {
  return [
    {
      tags: ['demo'],
      security: PUBLIC_SECURITY,
      method: 'get',
      path: '/demo',
      summary: 'A checkout page against the sandboxes (npm start only)',
      responses: { 200: { description: 'the page', content: { 'text/html': { schema: z.string() } } } },
    },
  ];
}
