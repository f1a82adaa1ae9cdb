import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { ReconciliationReport } from '../workflows/reconciliation-types';
import { reconciliationScheduleId } from '../workflows/reconciliation-types';

export interface LatestReport {
  workflowId: string;
  runId: string;
  report: ReconciliationReport;
}

/**
 * The newest finished run of the task queue's reconciliation Schedule, found through the Schedule's recent actions
 * (no visibility query, so a run that just finished is seen at once on a cluster too); undefined before the first.
 */
export async function latestReconciliationReport(client: Client, paymentTaskQueue: string): Promise<LatestReport | undefined> {
  let recent;
  try {
    recent = (await client.schedule.getHandle(reconciliationScheduleId(paymentTaskQueue)).describe()).info.recentActions;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return undefined;
    throw error;
  }
  for (const { action } of [...recent].reverse()) {
    if (action.type !== 'startWorkflow') continue;
    const handle = client.workflow.getHandle(action.workflow.workflowId, action.workflow.firstExecutionRunId);
    if ((await handle.describe()).status.name !== 'COMPLETED') continue;
    return { workflowId: action.workflow.workflowId, runId: action.workflow.firstExecutionRunId, report: (await handle.result()) as ReconciliationReport };
  }
  return undefined;
}
