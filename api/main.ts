import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { BUILT_IN_PROVIDERS, createApiProviders, createProviderAdapters } from '../activities/provider-registry';
import { ConfigurationError } from '../infra/env-config';
import { createLogger } from '../infra/logger';
import { parseTemporalEnv, payloadEncryption, temporalEnvSchema } from '../infra/temporal-config';
import { CardVault } from '../worker/card-vault';
import { createCardVaultWorker } from '../worker/card-vault-worker';
import { createDataConverter } from '../infra/data-converter';
import { AesGcmPayloadCodec } from '../infra/payload-codec';
import { apiEnvSchema, merchantKeysFrom } from './api-env';
import { createApiApp } from './app';
import { keepIdleConnectionsOpen } from '../infra/http-keep-alive';
import { drainOnStop } from './http-drain';
import { reservationGauges } from '../infra/observability/metrics';
import { installProcessMetrics, sdkMetricsEnvSchema } from '../infra/observability/sdk-metrics';
import { tracingFromEnv } from '../infra/observability/tracing';
import { reservationCounts } from './reservation-counts';

const log = createLogger('api');

async function main(): Promise<void> {
  const { env, temporal } = parseTemporalEnv(apiEnvSchema.and(temporalEnvSchema).and(sdkMetricsEnvSchema));
  // The SDK would stop the card-vault worker on SIGTERM by itself, at once; this process orders its own shutdown.
  const metrics = await installProcessMetrics({ sdkMetricsAddress: env.TEMPORAL_SDK_METRICS_ADDRESS, shutdownSignals: [], sdkLogLevel: env.TEMPORAL_SDK_LOG_LEVEL });
  const tracing = tracingFromEnv('payments-api');
  const encryption = payloadEncryption(env);
  const dataConverter = createDataConverter(encryption);
  const options = temporal.connectionOptions;
  const client = new Client({
    connection: await Connection.connect(options),
    namespace: temporal.namespace,
    dataConverter,
    ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } } : {}),
  });
  reservationGauges(reservationCounts(client, env.TEMPORAL_TASK_QUEUE, log));
  // This process receives card data, so it also runs the only worker allowed to send that card to a provider.
  const workerConnection = await NativeConnection.connect(options);
  const vault = new CardVault();
  const cardVault = await createCardVaultWorker({
    connection: workerConnection,
    namespace: temporal.namespace,
    vault,
    providers: createProviderAdapters(BUILT_IN_PROVIDERS, process.env),
    dataConverter,
    tracing,
  });
  const app = createApiApp({
    client,
    namespace: temporal.namespace,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    vault,
    cardVaultTaskQueue: cardVault.taskQueue,
    cardVaultWorker: { worker: cardVault.worker, connection: workerConnection },
    keepCardOnFile: cardVault.keepCardOnFile,
    codec: new AesGcmPayloadCodec(encryption.keys, encryption.activeKeyId),
    merchantKeys: merchantKeysFrom(env),
    operatorKeyHashes: env.OPERATOR_API_KEYS,
    operatorSessionSecret: env.OPERATOR_SESSION_SECRET,
    trustProxy: env.API_TRUST_PROXY,
    providers: createApiProviders(BUILT_IN_PROVIDERS, process.env),
    webhookToleranceSeconds: env.WEBHOOK_TOLERANCE_SECONDS,
    codecAllowedOrigins: env.CODEC_ALLOWED_ORIGINS,
    webUiUrl: env.TEMPORAL_UI_URL,
    paymentAnswerWithinMs: env.PAYMENT_ANSWER_WITHIN_MS,
    timing: {
      ...(env.CHALLENGE_TIMEOUT_MS ? { challengeTimeoutMs: env.CHALLENGE_TIMEOUT_MS } : {}),
      ...(env.LOST_ANSWER_GRACE_MS !== undefined ? { lostAnswerGraceMs: env.LOST_ANSWER_GRACE_MS } : {}),
      ...(env.REFUND_ANSWER_WITHIN_MS !== undefined ? { refundAnswerWithinMs: env.REFUND_ANSWER_WITHIN_MS } : {}),
      ...(env.CARD_HANDOVER_WINDOW_MS !== undefined ? { cardHandoverWindowMs: env.CARD_HANDOVER_WINDOW_MS } : {}),
      ...(env.STATUS_POLL_DELAYS_MS ? { statusPollDelaysMs: env.STATUS_POLL_DELAYS_MS } : {}),
    },
    ...(env.DEMO_MERCHANT_KEY ? { demo: { merchantKey: env.DEMO_MERCHANT_KEY } } : {}),
    log,
    metricsScrape: metrics.scrape,
  });
  if (!env.OPERATOR_SESSION_SECRET) log.warn('OPERATOR_SESSION_SECRET is not set: operator sessions end with this process and work on this replica only');
  const vaultRun = cardVault.worker.run();
  const server = keepIdleConnectionsOpen(
    app.listen(env.API_PORT, env.API_HOST, () => {
      const url = `http://${env.API_HOST}:${env.API_PORT}`;
      log.info({ url, metricsUrl: `${url}/metrics`, tracing: tracing !== undefined, cardVaultTaskQueue: cardVault.taskQueue }, 'api listening');
    }),
  );
  const http = drainOnStop(server);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info({ graceMs: env.API_SHUTDOWN_GRACE_MS }, 'api stopping: finishing in-flight requests');
    // HTTP first: in-flight payments still need the card-vault worker to submit the cards they hold.
    const { unfinished } = await http.drain(env.API_SHUTDOWN_GRACE_MS);
    if (unfinished > 0) log.warn({ unfinished }, 'requests still running at the end of the shutdown grace period were cut off');
    cardVault.worker.shutdown();
    await vaultRun;
    await workerConnection.close();
    await client.connection.close();
    await tracing?.shutdown();
    log.info('api stopped');
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}

main().catch((error: unknown) => {
  if (error instanceof ConfigurationError) log.fatal(error.message);
  else log.fatal({ err: error }, 'api failed');
  process.exit(1);
});
