import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import { withCallPacing } from '../activities/call-pacing';
import { createMerchantEventActivities } from '../activities/merchant-event-activities';
import { createPaymentActivities } from '../activities/payment-activities';
import type { MerchantEndpoints } from '../infra/merchant-endpoints-config';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from '../workflows/merchant-event-log-types';
import { merchantEventTaskQueue } from '../workflows/merchant-event-task-queue';
import type { ProviderRegistry } from '../activities/provider-registry';
import { PROVIDER_NAMES, type ProviderName } from '../domain/provider-name';
import { providerTaskQueue } from '../workflows/provider-task-queue';

export interface PaymentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  providers: ProviderRegistry;
  dataConverter: DataConverter;
  /** A prebuilt bundle (bundleWorkflowCode) skips bundling at start: seconds saved per worker. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'stickyQueueScheduleToStartTimeout'>;
  /** Calls per second allowed to each provider, across every worker on its queue (Temporal enforces it). */
  providerCallsPerSecond?: Partial<Record<ProviderName, number>>;
  /** Where each merchant's events go (URLs and secrets stay here, never in history) and how they are delivered. */
  merchantEvents?: { endpoints: MerchantEndpoints; settings?: Partial<DeliverySettings>; maxConcurrentDeliveries?: number };
}

/**
 * The workers of one worker process: the workflows on the main task queue, and each provider's calls (those
 * without card data) on a queue of its own with that provider's rate limit.
 */
export async function createPaymentWorkers(options: PaymentWorkerOptions): Promise<Worker[]> {
  const eventActivities = createMerchantEventActivities(options.merchantEvents?.endpoints ?? {}, {
    ...DEFAULT_DELIVERY_SETTINGS,
    ...options.merchantEvents?.settings,
  });
  const workflowWorker = Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') }),
    dataConverter: options.dataConverter,
    // Workflows publish their merchant events through a local activity.
    activities: eventActivities,
    ...options.tuning,
  });
  // Deliveries wait on merchants' receivers: a queue of their own, so a slow receiver holds no payment's slots.
  const eventWorker = Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: merchantEventTaskQueue(options.taskQueue),
    activities: eventActivities,
    dataConverter: options.dataConverter,
    maxConcurrentActivityTaskExecutions: options.merchantEvents?.maxConcurrentDeliveries ?? 100,
  });
  const activities = createPaymentActivities(withCallPacing(options.providers, options.providerCallsPerSecond));
  const providerWorkers = PROVIDER_NAMES.map((provider) =>
    Worker.create({
      connection: options.connection,
      namespace: options.namespace,
      taskQueue: providerTaskQueue(options.taskQueue, provider),
      activities,
      interceptors: { activity: [heartbeatWhileRunning] },
      dataConverter: options.dataConverter,
      maxConcurrentActivityTaskExecutions: options.tuning?.maxConcurrentActivityTaskExecutions,
      maxTaskQueueActivitiesPerSecond: options.providerCallsPerSecond?.[provider],
    }),
  );
  return Promise.all([workflowWorker, ...providerWorkers, eventWorker]);
}
