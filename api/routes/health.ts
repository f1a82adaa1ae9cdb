import { Router } from 'express';
import type { Client } from '@temporalio/client';

/** /health: the process answers. /ready: it can also reach Temporal, so it can take payments. */
export function healthRoutes(options: { client: Client; namespace: string }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    try {
      await options.client.connection.workflowService.describeNamespace({ namespace: options.namespace });
      res.json({ status: 'ready', temporal: 'reachable' });
    } catch {
      res.status(503).json({ status: 'not_ready', temporal: 'unreachable' });
    }
  });
  return router;
}
