import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import { withCallPacing } from '../activities/call-pacing';
import { createPaymentActivities } from '../activities/payment-activities';
import type { ProviderRegistry } from '../activities/provider-registry';
import { createReconciliationActivities } from '../activities/reconciliation-activities';
import { reconciliationTaskQueue } from '../workflows/reconciliation-types';
import { heartbeatWhileRunning } from './heartbeat-while-running';

/** Calls per second the sweep makes to each provider by default: far below a live payment load. */
export const DEFAULT_RECONCILIATION_CALLS_PER_SECOND = 2;

/**
 * The sweep's reads (visibility, payment queries) and provider calls, on a queue of their own: live payments never
 * wait behind them, and each provider sees at most `callsPerSecond` of them from this process.
 */
export function createReconciliationWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  client: Client;
  providers: ProviderRegistry;
  dataConverter: DataConverter;
  callsPerSecond?: number;
}): Promise<Worker> {
  const perSecond = options.callsPerSecond ?? DEFAULT_RECONCILIATION_CALLS_PER_SECOND;
  const paced = withCallPacing(options.providers, Object.fromEntries(Object.keys(options.providers).map((name) => [name, perSecond])));
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: reconciliationTaskQueue(options.taskQueue),
    activities: { ...createReconciliationActivities(options.client, paced), fetchProviderStatus: createPaymentActivities(paced).fetchProviderStatus },
    interceptors: { activity: [heartbeatWhileRunning] },
    dataConverter: options.dataConverter,
    maxConcurrentActivityTaskExecutions: 2,
  });
}
