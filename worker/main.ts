import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { createProviderRegistry } from '../activities/provider-registry';
import { ConfigurationError, parseEnv } from '../infra/env-config';
import { createLogger } from '../infra/logger';
import { merchantEventsEnvSchema } from '../infra/merchant-endpoints-config';
import { providersConfig, providersEnvSchema } from '../infra/providers-config';
import { connectionOptions, payloadEncryption, temporalEnvSchema } from '../infra/temporal-config';
import { createDataConverter } from './data-converter';
import { createPaymentWorkers } from './payment-worker';

const workerEnvSchema = z.object({
  ...temporalEnvSchema.shape,
  ...providersEnvSchema.shape,
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().optional(),
  /** How long a workflow task waits for this worker's sticky queue before going to the shared queue (SDK default 10 s). */
  WORKER_STICKY_SCHEDULE_TO_START_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  /** Caps on calls per second to each provider, shared by every worker on that provider's queue. */
  TURNSTAY_CALLS_PER_SECOND: z.coerce.number().positive().optional(),
  TRUSTIST_CALLS_PER_SECOND: z.coerce.number().positive().optional(),
  ...merchantEventsEnvSchema.shape,
  /** Merchant event deliveries this worker makes at once (each endpoint is bounded further by its event log). */
  MERCHANT_EVENT_MAX_CONCURRENT_DELIVERIES: z.coerce.number().int().positive().optional(),
  /** A merchant's event log takes these when it starts: first and longest wait between delivery attempts. */
  MERCHANT_EVENT_RETRY_INITIAL_MS: z.coerce.number().int().positive().optional(),
  MERCHANT_EVENT_RETRY_MAX_MS: z.coerce.number().int().positive().optional(),
  MERCHANT_EVENT_MAX_IN_FLIGHT_PER_ENDPOINT: z.coerce.number().int().positive().optional(),
});

const log = createLogger('worker');

async function main(): Promise<void> {
  const env = parseEnv(workerEnvSchema.and(temporalEnvSchema));
  const connection = await NativeConnection.connect(connectionOptions(env));
  const workers = await createPaymentWorkers({
    connection,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    providers: createProviderRegistry(providersConfig(env)),
    dataConverter: createDataConverter(payloadEncryption(env)),
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    tuning: {
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      ...(env.WORKER_STICKY_SCHEDULE_TO_START_TIMEOUT_MS ? { stickyQueueScheduleToStartTimeout: env.WORKER_STICKY_SCHEDULE_TO_START_TIMEOUT_MS } : {}),
    },
    providerCallsPerSecond: { turnstay: env.TURNSTAY_CALLS_PER_SECOND, trustist: env.TRUSTIST_CALLS_PER_SECOND },
    merchantEvents: {
      endpoints: env.MERCHANT_EVENT_ENDPOINTS,
      maxConcurrentDeliveries: env.MERCHANT_EVENT_MAX_CONCURRENT_DELIVERIES,
      settings: {
        ...(env.MERCHANT_EVENT_RETRY_INITIAL_MS ? { initialRetryMs: env.MERCHANT_EVENT_RETRY_INITIAL_MS } : {}),
        ...(env.MERCHANT_EVENT_RETRY_MAX_MS ? { maxRetryMs: env.MERCHANT_EVENT_RETRY_MAX_MS } : {}),
        ...(env.MERCHANT_EVENT_MAX_IN_FLIGHT_PER_ENDPOINT ? { maxInFlightPerEndpoint: env.MERCHANT_EVENT_MAX_IN_FLIGHT_PER_ENDPOINT } : {}),
      },
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.forEach((worker) => worker.shutdown()));
  log.info({ taskQueue: env.TEMPORAL_TASK_QUEUE, address: env.TEMPORAL_ADDRESS, namespace: env.TEMPORAL_NAMESPACE }, 'worker running');
  await Promise.all(workers.map((worker) => worker.run()));
  await connection.close();
  log.info('worker stopped');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) log.fatal(error.message);
  else log.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
