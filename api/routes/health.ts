import { Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { NativeConnection, Worker } from '@temporalio/worker';
import { checkWorkerReadiness, withinMs } from '../../worker/worker-readiness';
import { jsonResponse, PUBLIC_SECURITY, type RouteDoc } from '../route-docs';

const healthSchema = z.object({ status: z.literal('ok') }).strict();
const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    temporal: z.enum(['reachable', 'unreachable']),
    cardVaultWorker: z.object({ state: z.string().optional(), polling: z.boolean() }).strict(),
  })
  .strict();

/** How long /ready waits for Temporal's answers before it says "not ready". */
const READY_TIMEOUT_MS = 3_000;

/**
 * /health: the process answers. /ready: it can also reach Temporal, and its card-vault worker is running and
 * polling its queue, so it can take payments (a card it accepts can reach the provider).
 */
export function healthRoutes(options: { client: Client; namespace: string; cardVaultWorker: { worker: Worker; connection: NativeConnection } }): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' } satisfies z.infer<typeof healthSchema>);
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
    } satisfies z.infer<typeof readinessSchema>);
  });
  return router;
}

/** The health routes as `/openapi.json` documents them. */
export function healthRouteDocs(): RouteDoc[] {
  const common = { tags: ['health'], security: PUBLIC_SECURITY };
  return [
    { ...common, method: 'get', path: '/health', summary: 'The process answers', responses: { 200: jsonResponse('alive', healthSchema) } },
    {
      ...common,
      method: 'get',
      path: '/ready',
      summary: 'The process can take payments: Temporal reachable, its card-vault worker polling',
      responses: { 200: jsonResponse('ready', readinessSchema), 503: jsonResponse('not ready', readinessSchema) },
    },
  ];
}
