import { BUILT_IN_PROVIDERS } from '../../../activities/provider-registry';
import type { ApiStack } from '../../support/api-stack';
import { OPERATOR_KEY } from '../../support/api-stack';
import { ensureReconciliationSchedule } from '../../../worker/reconciliation-schedule';
import type { ReconciliationReport } from '../../../workflows/reconciliation-types';
import { waitUntil } from '../../support/wait-until';

const HOUR_MS = 3_600_000;

/** The sandbox's behind-our-back admin routes: what the provider does without telling us. */
export async function behindOurBack(sandboxUrl: string, path: string, body: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await fetch(`${sandboxUrl}/__sandbox/behind-our-back${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`behind-our-back ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/**
 * Creates the stack's reconciliation Schedule (hourly, so it never fires by itself during a test), forces one run
 * with `trigger()`, and waits until `GET /ops/reconciliation/latest` shows a run that started after the trigger.
 */
export async function runReconciliation(stack: ApiStack, timeoutMs = 60_000): Promise<{ workflowId: string; runId: string; report: ReconciliationReport }> {
  const scheduleId = await ensureReconciliationSchedule(stack.client, { paymentTaskQueue: stack.taskQueue, stuckAfterMs: 1, lookbackMs: HOUR_MS, providers: BUILT_IN_PROVIDERS.map(({ name }) => name) }, HOUR_MS);
  // A run that finished in the same second as the trigger is not the triggered one: tell them apart by run ID too.
  const before = await latestRun(stack);
  const triggeredAt = new Date().toISOString();
  await stack.client.schedule.getHandle(scheduleId).trigger();
  return waitUntil('the triggered reconciliation run to finish', async () => {
    const latest = await latestRun(stack);
    return latest && latest.runId !== before?.runId && latest.report.startedAt >= triggeredAt.slice(0, 19) ? latest : undefined;
  }, timeoutMs, 250);
}

async function latestRun(stack: ApiStack): Promise<{ workflowId: string; runId: string; report: ReconciliationReport } | undefined> {
  const response = await fetch(`${stack.baseUrl}/ops/reconciliation/latest`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`latest reconciliation answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as { workflowId: string; runId: string; report: ReconciliationReport };
}

/** Waits until visibility lists this many payments of the stack's task queue (eventually consistent on a cluster). */
export async function waitForVisiblePayments(stack: ApiStack, count: number, timeoutMs = 30_000): Promise<void> {
  const query = `WorkflowType = "paymentWorkflow" AND TaskQueue = "${stack.taskQueue}"`;
  await waitUntil(`visibility to list ${count} payments`, async () => (await stack.client.workflow.count(query)).count >= count || undefined, timeoutMs);
}

/** Waits until visibility lists this payment as a MISMATCH, as the next reconciliation run's query will find it. */
export async function waitForVisibleMismatch(stack: ApiStack, paymentId: string, timeoutMs = 30_000): Promise<void> {
  const query = `WorkflowId = "${paymentId}" AND ReconStatus = "MISMATCH"`;
  await waitUntil('visibility to list the MISMATCH', async () => (await stack.client.workflow.count(query)).count > 0 || undefined, timeoutMs);
}
