import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import { reconciliationScheduleId, type ReconciliationInput } from '../workflows/reconciliation-types';
import type { reconciliationWorkflow } from '../workflows/reconciliation';

export const DEFAULT_RECONCILIATION_INTERVAL_MS = 3_600_000;

/**
 * Creates the reconciliation Schedule of a payments task queue if it is missing, and brings its interval and input
 * up to date if it exists (every worker calls this at start; the last one's configuration wins). Runs never overlap.
 */
export async function ensureReconciliationSchedule(client: Client, input: ReconciliationInput, intervalMs = DEFAULT_RECONCILIATION_INTERVAL_MS): Promise<string> {
  const scheduleId = reconciliationScheduleId(input.paymentTaskQueue);
  const options = {
    scheduleId,
    spec: { intervals: [{ every: intervalMs }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'reconciliationWorkflow',
      taskQueue: input.paymentTaskQueue,
      workflowId: scheduleId,
      args: [input] as Parameters<typeof reconciliationWorkflow>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  } satisfies ScheduleOptions;
  try {
    await client.schedule.create(options);
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: options.policies }));
  }
  return scheduleId;
}
