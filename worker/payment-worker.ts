import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createPaymentActivities } from '../activities/payment-activities';
import type { ProviderRegistry } from '../activities/provider-registry';

export interface PaymentWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  providers: ProviderRegistry;
  dataConverter: DataConverter;
  /** A prebuilt bundle (bundleWorkflowCode) skips bundling at start: seconds saved per worker. */
  workflowBundlePath?: string;
  tuning?: Pick<WorkerOptions, 'maxConcurrentActivityTaskExecutions' | 'maxConcurrentWorkflowTaskExecutions' | 'maxCachedWorkflows' | 'maxTaskQueueActivitiesPerSecond'>;
}

/** Runs the payment workflows and the provider calls that carry no card data. */
export function createPaymentWorker(options: PaymentWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundlePath
      ? { workflowBundle: { codePath: options.workflowBundlePath } }
      : { workflowsPath: require.resolve('../workflows') }),
    activities: createPaymentActivities(options.providers),
    dataConverter: options.dataConverter,
    ...options.tuning,
  });
}
