import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { checkWorkerReadiness } from '../../worker/worker-readiness';

/**
 * /health: the process answers. /ready: it can also reach Temporal, and its card-vault worker is running and
 * polling its queue, so it can take payments (a card it accepts can reach the provider).
 */
export function healthRoutes(options: { client: Client; namespace: string; cardVaultWorker: { worker: Worker; connection: NativeConnection } }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/ready', async (_req, res) => {
    const [reachable, cardVault] = await Promise.all([
      options.client.connection.withDeadline(Date.now() + 3_000, () => options.client.connection.workflowService.describeNamespace({ namespace: options.namespace })).then(
        () => true,
        () => false,
      ),
      checkWorkerReadiness(options.cardVaultWorker.connection, [options.cardVaultWorker.worker]),
    ]);
    const ready = reachable && cardVault.ready;
    const [queue] = cardVault.queues;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not_ready',
      temporal: reachable && cardVault.temporal === 'reachable' ? 'reachable' : 'unreachable',
      cardVaultWorker: { state: queue?.state, polling: queue?.polling ?? false },
    });
  });
  return router;
}
