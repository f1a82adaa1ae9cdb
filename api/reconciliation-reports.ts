import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { ReconciliationReport } from '../workflows/reconciliation-types';
import { reconciliationScheduleId } from '../workflows/reconciliation-types';

const reconciliationReportSchema = z
  .object({
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    paymentTaskQueue: z.string(),
    comparedFrom: z.iso.datetime(),
    paymentsChecked: z.number().int(),
    providerPaymentsListed: z.number().int(),
    differences: z.array(
      z
        .object({
          provider: z.string().describe('a registered provider name'),
          workflowId: z.string().optional().describe('absent for a charge we have no payment for'),
          providerPaymentId: z.string().optional(),
          ours: z.string().optional(),
          theirs: z.string().optional(),
          reason: z.string(),
          action: z.enum(['recheck', 'reported', 'reported (payment closed)']),
        })
        .strict(),
    ),
    resolved: z.array(z.string()).optional().describe('payments flagged MISMATCH earlier that agree with the provider now'),
    markdown: z.string().describe('the same as a Markdown table, for people'),
  })
  .strict();

/** `GET /ops/reconciliation/latest`: the newest finished run and its report. */
export const latestReportSchema = z
  .object({ workflowId: z.string(), runId: z.string(), report: reconciliationReportSchema })
  .strict()
  .meta({ id: 'ReconciliationRun' });
export type LatestReport = z.infer<typeof latestReportSchema>;

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
    const report: ReconciliationReport = await handle.result();
    return { workflowId: action.workflow.workflowId, runId: action.workflow.firstExecutionRunId, report };
  }
  return undefined;
}
