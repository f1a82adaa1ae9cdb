import { Router } from 'express';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { checkWorkerReadiness, withinMs } from '../../worker/worker-readiness';

/** How long /ready waits for Temporal's answers before it says "not ready". */
const READY_TIMEOUT_MS = 3_000;

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
      withinMs(
        READY_TIMEOUT_MS,
        options.client.connection.withDeadline(Date.now() + READY_TIMEOUT_MS, () => options.client.connection.workflowService.describeNamespace({ namespace: options.namespace })),
      ).then(
        () => true,
        () => false,
      ),
      checkWorkerReadiness(options.cardVaultWorker.connection, [options.cardVaultWorker.worker], READY_TIMEOUT_MS),
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
