import { Router } from 'express';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { unmatchedWebhooksQuery, webhookInboxWorkflowId, type UnmatchedWebhook } from '../../workflows/webhook-inbox';
import { ApiError, parseOrThrow } from '../api-error';
import type { OperatorAuth } from '../operator-auth';
import { renderOpsPage, type WaitingPayment } from '../ops-page';
import { latestReconciliationReport, latestReportSchema } from '../reconciliation-reports';
import { errorResponses, OPERATOR_SECURITY, type RouteDoc } from '../route-docs';

const WAITING_SHOWN = 20;
const WAITING_READ = 500;

export interface OperationsRouteOptions {
  client: Client;
  namespace: string;
  taskQueue: string;
  operatorAuth: OperatorAuth;
  webUiUrl?: string;
  /** The registered providers' names: each has an inbox of unmatched webhooks. */
  providerNames: readonly string[];
}

const latestQuerySchema = z.object({ format: z.enum(['json', 'markdown']).optional() });

/** Operator routes: the `/ops` page and the latest reconciliation report (JSON, or Markdown for people). */
export function operationsRoutes(options: OperationsRouteOptions): Router {
  const { client, taskQueue } = options;
  const router = Router();
  const auth = options.operatorAuth.middleware();

  router.get('/ops/reconciliation/latest', auth, async (req, res) => {
    const { format } = parseOrThrow(latestQuerySchema, req.query, 'query');
    const latest = await latestReconciliationReport(client, taskQueue);
    const markdown = format === 'markdown' || (format === undefined && req.accepts(['application/json', 'text/markdown']) === 'text/markdown');
    if (!latest) throw new ApiError(404, 'no_reconciliation_yet', 'no reconciliation run has finished yet', 'path');
    if (markdown) res.type('text/markdown; charset=utf-8').send(latest.report.markdown);
    else res.json(latest);
  });

  router.get('/ops', auth, async (_req, res) => {
    const [latest, unmatchedWebhooks, waitingLongest] = await Promise.all([latestReconciliationReport(client, taskQueue), readInboxes(), readWaiting()]);
    res.type('html').send(renderOpsPage({ namespace: options.namespace, webUiUrl: options.webUiUrl, latest, unmatchedWebhooks, waitingLongest, now: new Date() }));
  });

  async function readInboxes(): Promise<UnmatchedWebhook[]> {
    const inboxes = await Promise.all(
      options.providerNames.map(async (provider) => {
        try {
          return await client.workflow.getHandle(webhookInboxWorkflowId(provider, taskQueue)).query(unmatchedWebhooksQuery);
        } catch (error) {
          if (error instanceof WorkflowNotFoundError) return [];
          throw error;
        }
      }),
    );
    return inboxes.flat().sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  }

  async function readWaiting(): Promise<WaitingPayment[]> {
    const query = `WorkflowType = "paymentWorkflow" AND TaskQueue = "${taskQueue.replace(/["\\]/g, '')}" AND ExecutionStatus = "Running" AND PaymentStatus IN ("CREATED", "SUBMITTED", "PENDING_ACTION")`;
    const waiting: WaitingPayment[] = [];
    for await (const execution of client.workflow.list({ query, pageSize: 100 })) {
      const attributes = execution.searchAttributes as Record<string, unknown[] | undefined>;
      waiting.push({
        workflowId: execution.workflowId,
        status: String(attributes.PaymentStatus?.[0] ?? ''),
        provider: String(attributes.PaymentProvider?.[0] ?? ''),
        startedAt: execution.startTime.toISOString(),
        ...(attributes.ReconStatus?.[0] ? { reconStatus: String(attributes.ReconStatus[0]) } : {}),
      });
      if (waiting.length >= WAITING_READ) break;
    }
    return waiting.sort((a, b) => a.startedAt.localeCompare(b.startedAt)).slice(0, WAITING_SHOWN);
  }

  return router;
}

/** The operator routes as `/openapi.json` documents them. */
export function operationsRouteDocs(): RouteDoc[] {
  const common = { tags: ['operators'], security: OPERATOR_SECURITY };
  return [
    {
      ...common,
      method: 'get',
      path: '/ops/reconciliation/latest',
      summary: 'The latest reconciliation run: JSON, or Markdown with format=markdown or Accept: text/markdown',
      request: { query: latestQuerySchema },
      responses: {
        200: { description: 'the run and its report', content: { 'application/json': { schema: latestReportSchema }, 'text/markdown': { schema: z.string() } } },
        ...errorResponses(400, 401, 404),
      },
    },
    {
      ...common,
      method: 'get',
      path: '/ops',
      summary: 'The operator page: latest reconciliation, unmatched webhooks, payments waiting longest',
      responses: { 200: { description: 'the page', content: { 'text/html': { schema: z.string() } } }, ...errorResponses(401) },
    },
  ];
}
