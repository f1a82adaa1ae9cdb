import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { z } from 'zod';
import { BUILT_IN_PROVIDERS, callsPerSecondEnvShape, callsPerSecondFromEnv, createProviderAdapters, providersEnvShape } from '../activities/provider-registry';
import { ConfigurationError, port } from '../infra/env-config';
import { createLogger } from '../infra/logger';
import { merchantEventsEnvSchema } from '../infra/merchant-endpoints-config';
import { parseTemporalEnv, payloadEncryption, temporalEnvSchema } from '../infra/temporal-config';
import { createDataConverter } from '../infra/data-converter';
import { startHealthServer } from './health-server';
import { createPaymentWorkers } from './payment-worker';
import { DEFAULT_RECONCILIATION_INTERVAL_MS, ensureReconciliationSchedule } from './reconciliation-schedule';
import { checkWorkerReadiness } from './worker-readiness';
import { installProcessMetrics, sdkMetricsEnvSchema } from '../infra/observability/sdk-metrics';
import { tracingFromEnv } from '../infra/observability/tracing';
import { startWorkerMetricsServer } from './metrics-server';

const workerEnvSchema = z.object({
  ...temporalEnvSchema.shape,
  ...providersEnvShape(BUILT_IN_PROVIDERS),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().positive().optional(),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().optional(),
  /**
   * The SDK's stack-trace query (the Web UI's Stack Trace tab): read by the workflow threads themselves (our patch of
   * @temporalio/worker); off by default, its promise hook was ~4 ms of worker CPU per payment. Validated here only.
   */
  WORKER_WORKFLOW_STACK_TRACES: z.enum(['on', 'off']).default('off'),
  /**
   * Where the workflow code runs: `own` (default) a thread per workflow worker, `main` the process's main thread (less
   * CPU and memory per workflow task; an activation then holds up this process's activities; see workflow-thread.ts).
   */
  WORKER_WORKFLOW_THREAD: z.enum(['own', 'main']).default('own'),
  /** The merchants' event logs cached by their own worker (one per merchant; default 100). */
  WORKER_MAX_CACHED_EVENT_LOGS: z.coerce.number().int().nonnegative().optional(),
  /** How long a workflow task waits for this worker's sticky queue before going to the shared queue (SDK default 10 s). */
  WORKER_STICKY_SCHEDULE_TO_START_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  /** Caps on calls per second to each provider (<PROVIDER>_CALLS_PER_SECOND), shared by every worker on that provider's queue. */
  ...callsPerSecondEnvShape(BUILT_IN_PROVIDERS),
  /** How often the reconciliation Schedule runs (0: this worker leaves the Schedule alone). */
  RECONCILIATION_INTERVAL_MS: z.coerce.number().int().nonnegative().default(DEFAULT_RECONCILIATION_INTERVAL_MS),
  /** A payment still waiting this long after its start is overdue for reconciliation. */
  RECONCILIATION_STUCK_AFTER_MS: z.coerce.number().int().positive().optional(),
  /** How far back each run compares payments (ours started, the providers' created). */
  RECONCILIATION_LOOKBACK_MS: z.coerce.number().int().positive().optional(),
  /** The sweep's calls per second to each provider, on its own queue (default 2). */
  RECONCILIATION_CALLS_PER_SECOND: z.coerce.number().positive().optional(),
  /** /health and /ready (default: any free port, logged); 0.0.0.0 for probes from outside the host. */
  WORKER_HEALTH_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_HEALTH_PORT: port.default(0),
  /** The worker's metrics page (GET /metrics): its own metrics and the Temporal SDK's. Port 0: any free port (logged). */
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(0),
  ...sdkMetricsEnvSchema.shape,
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
  const { env, temporal } = parseTemporalEnv(workerEnvSchema.and(temporalEnvSchema));
  const metrics = await installProcessMetrics({ sdkMetricsAddress: env.TEMPORAL_SDK_METRICS_ADDRESS, sdkLogLevel: env.TEMPORAL_SDK_LOG_LEVEL });
  const tracing = tracingFromEnv('payments-worker');
  // First, so the page answers while the workers start (the SDK's part fills in as they do).
  const metricsServer = await startWorkerMetricsServer(metrics, env.WORKER_METRICS_HOST, env.WORKER_METRICS_PORT);
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  const dataConverter = createDataConverter(payloadEncryption(env));
  const clientConnection = await Connection.connect(temporal.connectionOptions);
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace, dataConverter });
  const workers = await createPaymentWorkers({
    connection,
    namespace: temporal.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    providers: createProviderAdapters(BUILT_IN_PROVIDERS, process.env),
    dataConverter,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    tuning: {
      maxConcurrentActivityTaskExecutions: env.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskExecutions: env.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
      ...(env.WORKER_STICKY_SCHEDULE_TO_START_TIMEOUT_MS ? { stickyQueueScheduleToStartTimeout: env.WORKER_STICKY_SCHEDULE_TO_START_TIMEOUT_MS } : {}),
    },
    workflowThread: env.WORKER_WORKFLOW_THREAD,
    providerCallsPerSecond: callsPerSecondFromEnv(BUILT_IN_PROVIDERS, process.env),
    reconciliation: { client, callsPerSecond: env.RECONCILIATION_CALLS_PER_SECOND },
    tracing,
    merchantEvents: {
      endpoints: env.MERCHANT_EVENT_ENDPOINTS,
      maxConcurrentDeliveries: env.MERCHANT_EVENT_MAX_CONCURRENT_DELIVERIES,
      maxCachedLogs: env.WORKER_MAX_CACHED_EVENT_LOGS,
      settings: {
        ...(env.MERCHANT_EVENT_RETRY_INITIAL_MS ? { initialRetryMs: env.MERCHANT_EVENT_RETRY_INITIAL_MS } : {}),
        ...(env.MERCHANT_EVENT_RETRY_MAX_MS ? { maxRetryMs: env.MERCHANT_EVENT_RETRY_MAX_MS } : {}),
        ...(env.MERCHANT_EVENT_MAX_IN_FLIGHT_PER_ENDPOINT ? { maxInFlightPerEndpoint: env.MERCHANT_EVENT_MAX_IN_FLIGHT_PER_ENDPOINT } : {}),
      },
    },
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.forEach((worker) => worker.shutdown()));
  const health = await startHealthServer({ host: env.WORKER_HEALTH_HOST, port: env.WORKER_HEALTH_PORT, readiness: () => checkWorkerReadiness(connection, workers) });
  log.info(
    { taskQueue: env.TEMPORAL_TASK_QUEUE, address: temporal.connectionOptions.address, namespace: temporal.namespace, profile: temporal.profile, health: health.url, metricsUrl: metricsServer.url, tracing: tracing !== undefined, workflowThread: env.WORKER_WORKFLOW_THREAD },
    'worker running',
  );
  if (env.RECONCILIATION_INTERVAL_MS > 0) {
    // In the background: a worker runs payments even while the Schedule cannot be created (retried, then logged).
    void keepTrying('reconciliation schedule', async () => {
      const scheduleId = await ensureReconciliationSchedule(
        client,
        {
          paymentTaskQueue: env.TEMPORAL_TASK_QUEUE,
          stuckAfterMs: env.RECONCILIATION_STUCK_AFTER_MS,
          lookbackMs: env.RECONCILIATION_LOOKBACK_MS,
          providers: BUILT_IN_PROVIDERS.map((provider) => provider.name),
        },
        env.RECONCILIATION_INTERVAL_MS,
      );
      log.info({ scheduleId, everyMs: env.RECONCILIATION_INTERVAL_MS }, 'reconciliation schedule ready');
    });
  }
  await Promise.all(workers.map((worker) => worker.run()));
  await health.close();
  metricsServer.server.close();
  await connection.close();
  await clientConnection.close();
  await tracing?.shutdown();
  log.info('worker stopped');
}

async function keepTrying(what: string, attempt: () => Promise<void>, attempts = 10, delayMs = 15_000): Promise<void> {
  for (let round = 1; ; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (round >= attempts) return void log.error({ err: error }, `${what} failed; the next worker start tries again`);
      log.warn({ err: error, round }, `${what} failed; trying again`);
      await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
    }
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) log.fatal(error.message);
  else log.fatal({ err: error }, 'worker failed');
  process.exit(1);
});
