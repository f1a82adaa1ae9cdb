import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import type { Tracing } from '../infra/observability/tracing';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import { paymentMetricsSinks } from './payment-metrics-sinks';
import { activityTracing, workflowSpanSinks } from './tracing-interceptors';
import { WORKFLOW_BUNDLE_OPTIONS, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES } from './workflow-bundle-options';
import { withCallMetrics } from '../activities/call-metrics';
import { withCallPacing } from '../activities/call-pacing';
import { createMerchantEventActivities } from '../activities/merchant-event-activities';
import { createOwnerReportActivities, type OwnerReportActivities } from '../activities/owner-report-activities';
import { createScheduledPaymentActivities } from '../activities/scheduled-payment-activities';
import { createPaymentActivities } from '../activities/payment-activities';
import type { MerchantEndpoints } from '../infra/merchant-endpoints-config';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from '../workflows/merchant-event-log-types';
import { merchantEventTaskQueue } from '../workflows/merchant-event-task-queue';
import type { ProviderRegistry } from '../activities/provider-registry';
import { providerTaskQueue } from '../workflows/provider-task-queue';
import { createReconciliationWorker } from './reconciliation-worker';
import { workflowThreadOptions, type WorkflowThread } from './workflow-thread';

export interface PaymentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  providers: ProviderRegistry;
  dataConverter: DataConverter;
  /** A prebuilt bundle (bundleWorkflowCode) skips bundling at start: seconds saved per worker. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'stickyQueueScheduleToStartTimeout'>;
  /** Where the workflow code runs (default: a thread of its own, as the SDK does; see workflow-thread.ts). */
  workflowThread?: WorkflowThread;
  /** Calls per second allowed to each provider, across every worker on its queue (Temporal enforces it). */
  providerCallsPerSecond?: Partial<Record<string, number>>;
  /** Where each merchant's events go (URLs and secrets stay here, never in history) and how they are delivered. */
  merchantEvents?: { endpoints: MerchantEndpoints; settings?: Partial<DeliverySettings>; maxConcurrentDeliveries?: number; maxCachedLogs?: number };
  /** Runs the reconciliation sweep's calls too (its queue, its own per-provider pace); needs a client for visibility. */
  reconciliation?: { client: Client; callsPerSecond?: number };
  /** Where workflow and activity spans go (off when absent; see infra/observability/tracing.ts). */
  tracing?: Tracing;
  /** How a charge's payment tells its reservation (default: the worker's client signals it; tests hold it). */
  ownerReports?: OwnerReportActivities;
}

/** Merchants' event logs kept in the event worker's cache (one per merchant that has events). */
export const DEFAULT_MAX_CACHED_EVENT_LOGS = 100;

/**
 * The workers of one worker process: the workflows on the main task queue, and each provider's calls (those
 * without card data) on a queue of its own with that provider's rate limit.
 */
export async function createPaymentWorkers(options: PaymentWorkerOptions): Promise<Worker[]> {
  const eventActivities = createMerchantEventActivities(options.merchantEvents?.endpoints ?? {}, {
    ...DEFAULT_DELIVERY_SETTINGS,
    ...options.merchantEvents?.settings,
  });
  const workflowCode = options.workflowBundlePath
    ? { workflowBundle: { codePath: options.workflowBundlePath } }
    : {
        workflowsPath: WORKFLOW_BUNDLE_OPTIONS.workflowsPath,
        interceptors: { workflowModules: WORKFLOW_INTERCEPTOR_MODULES },
        bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES },
      };
  const sinks = { ...paymentMetricsSinks, ...workflowSpanSinks(options.tracing) };
  const threadOptions = workflowThreadOptions(options.workflowThread ?? 'own');
  const workflowWorker = Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...workflowCode,
    sinks,
    dataConverter: options.dataConverter,
    // Local activities: workflows publish their merchant events, charges report to their reservations, and
    // reservations create their charges' payments ahead.
    activities: { ...eventActivities, ...(options.ownerReports ?? createOwnerReportActivities()), ...createScheduledPaymentActivities() },
    ...options.tuning,
    ...threadOptions,
  });
  // The merchants' event logs and their deliveries, on a queue of their own: a slow receiver holds no payment's
  // slots, and the logs (long histories, one per merchant) keep a cache that sleeping reservations cannot evict.
  const eventWorker = Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: merchantEventTaskQueue(options.taskQueue),
    ...workflowCode,
    sinks,
    activities: eventActivities,
    dataConverter: options.dataConverter,
    maxConcurrentActivityTaskExecutions: options.merchantEvents?.maxConcurrentDeliveries ?? 100,
    maxCachedWorkflows: options.merchantEvents?.maxCachedLogs ?? DEFAULT_MAX_CACHED_EVENT_LOGS,
    ...threadOptions,
  });
  const activities = createPaymentActivities(withCallPacing(withCallMetrics(options.providers), options.providerCallsPerSecond));
  const providerWorkers = Object.keys(options.providers).map((provider) =>
    Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: providerTaskQueue(options.taskQueue, provider),
      activities,
      interceptors: { activity: [...(options.tracing ? [activityTracing] : []), heartbeatWhileRunning] },
      dataConverter: options.dataConverter,
      maxConcurrentActivityTaskExecutions: options.tuning?.maxConcurrentActivityTaskExecutions,
      maxTaskQueueActivitiesPerSecond: activitiesPerSecondWithin(options.providerCallsPerSecond?.[provider]),
    }),
  );
  const reconciliationWorker = options.reconciliation
    ? [createReconciliationWorker({ ...options, client: options.reconciliation.client, callsPerSecond: options.reconciliation.callsPerSecond })]
    : [];
  return Promise.all([workflowWorker, ...providerWorkers, ...reconciliationWorker, eventWorker]);
}

/** The most calls one activity on a provider's queue makes (a card on file: create the payment, submit the token). */
const MAX_CALLS_PER_PROVIDER_ACTIVITY = 2;

/**
 * The task queue's cap across all workers counts activities, the provider's limit counts calls: capping activities at
 * the limit over the most calls one makes keeps every worker together within it (each process also paces its calls).
 */
function activitiesPerSecondWithin(callsPerSecond: number | undefined): number | undefined {
  return callsPerSecond === undefined ? undefined : callsPerSecond / MAX_CALLS_PER_PROVIDER_ACTIVITY;
}
