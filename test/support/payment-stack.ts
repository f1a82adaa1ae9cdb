import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createProviderAdapters, createProviderRegistry, type ProvidersConfig } from '../../activities/provider-registry';
import type { TestProviderPlugin } from './api-providers';
import { startTrustistSandbox, startTurnstaySandbox, type RunningTrustistSandbox, type RunningTurnstaySandbox } from '../../sandbox';
import { CardVault } from '../../worker/card-vault';
import { createCardVaultWorker, type CardVaultWorker } from '../../worker/card-vault-worker';
import { createDataConverter } from '../../infra/data-converter';
import { parsePayloadKeys } from '../../infra/payload-codec';
import { createPaymentWorkers, type PaymentWorkerOptions } from '../../worker/payment-worker';
import type { Tracing } from '../../infra/observability/tracing';

export const SANDBOX_TURNSTAY_KEY = 'sk_test_sandbox';
export const SANDBOX_TURNSTAY_ACCOUNT = 1001;
export const TURNSTAY_WEBHOOK_SECRET = 'whsec_test_secret';
export const SANDBOX_TRUSTIST_CREDENTIALS = { id: 'sandbox-merchant', key: 'sandbox-hawk-key-0123456789abcdef' };

export interface PaymentStack {
  client: Client;
  connection: NativeConnection;
  taskQueue: string;
  namespace: string;
  vault: CardVault;
  cardVaultTaskQueue: string;
  /** The card-vault worker (the API's /ready includes it) and its connection. */
  cardVaultWorker: { worker: Worker; connection: NativeConnection };
  keepCardOnFile: CardVaultWorker['keepCardOnFile'];
  turnstay: RunningTurnstaySandbox;
  trustist: RunningTrustistSandbox;
  providersConfig: ProvidersConfig;
  dataConverter: ReturnType<typeof createDataConverter>;
  /** Stops and restarts the payment worker (crash and recovery tests). */
  restartPaymentWorker(): Promise<void>;
  shutdown(): Promise<void>;
}

export function testPayloadEncryption() {
  const keys = process.env.TEST_PAYLOAD_KEYS;
  const activeKeyId = process.env.TEST_PAYLOAD_ACTIVE_KEY_ID;
  if (!keys || !activeKeyId) throw new Error('test global setup did not run');
  return { keys: parsePayloadKeys(keys), activeKeyId };
}

export function testTemporalAddress(): { address: string; namespace: string } {
  const address = process.env.TEST_TEMPORAL_ADDRESS;
  if (!address) throw new Error('no Temporal dev server: the jest global setup starts one (TEST_WITHOUT_TEMPORAL is set?)');
  return { address, namespace: process.env.TEST_TEMPORAL_NAMESPACE ?? 'default' };
}

/**
 * A complete payment stack on the run's shared dev server: both sandboxes on free ports, a payment worker on a
 * task queue of this test file's own, and a card-vault worker as the API process runs one.
 */
export async function startPaymentStack(
  options: {
    sandboxLatencyMs?: number;
    providerCallsPerSecond?: Partial<Record<string, number>>;
    /** Workflow and activity spans of the workers (tracing tests). */
    tracing?: Tracing;
    merchantEvents?: PaymentWorkerOptions['merchantEvents'];
    /** Providers registered by the test alone, beside the built-in ones (an example plugin). */
    plugins?: TestProviderPlugin[];
    ownerReports?: PaymentWorkerOptions['ownerReports'];
    workflowThread?: PaymentWorkerOptions['workflowThread'];
  } = {},
): Promise<PaymentStack> {
  const { address, namespace } = testTemporalAddress();
  const turnstay = await startTurnstaySandbox({
    latencyMs: options.sandboxLatencyMs,
    webhookSecret: TURNSTAY_WEBHOOK_SECRET,
    webhookRetry: { baseDelayMs: 50, maxAttempts: 3 },
  });
  const trustist = await startTrustistSandbox({ latencyMs: options.sandboxLatencyMs, webhookRetry: { baseDelayMs: 50, maxAttempts: 3 } });
  const providersConfig: ProvidersConfig = {
    turnstay: { apiUrl: turnstay.apiUrl, scsUrl: turnstay.scsUrl, apiKey: SANDBOX_TURNSTAY_KEY, accountId: SANDBOX_TURNSTAY_ACCOUNT, timeoutMs: 5_000 },
    trustist: { apiUrl: trustist.apiUrl, keyId: SANDBOX_TRUSTIST_CREDENTIALS.id, key: SANDBOX_TRUSTIST_CREDENTIALS.key, timeoutMs: 5_000 },
  };
  const plugins = options.plugins ?? [];
  const pluginEnv = Object.assign({}, ...plugins.map((plugin) => plugin.env)) as Record<string, string>;
  const providers = createProviderRegistry(providersConfig, createProviderAdapters(plugins.map((plugin) => plugin.module), pluginEnv));
  const dataConverter = createDataConverter(testPayloadEncryption());
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const client = new Client({ connection: clientConnection, namespace, dataConverter });
  const taskQueue = `payments-test-${randomUUID()}`;
  const vault = new CardVault();

  const startPaymentWorkers = () =>
    createPaymentWorkers({
      connection,
      namespace,
      taskQueue,
      providers,
      dataConverter,
      workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
      providerCallsPerSecond: options.providerCallsPerSecond,
      reconciliation: { client, callsPerSecond: 20 },
      tracing: options.tracing,
      merchantEvents: options.merchantEvents,
      ownerReports: options.ownerReports,
      workflowThread: options.workflowThread,
    });
  let paymentWorkers = await startPaymentWorkers();
  const cardVaultWorker = await createCardVaultWorker({ connection, namespace, vault, providers, dataConverter, tracing: options.tracing });
  const running = new Map<Worker, Promise<void>>([
    ...paymentWorkers.map((worker) => [worker, worker.run()] as [Worker, Promise<void>]),
    [cardVaultWorker.worker, cardVaultWorker.worker.run()],
  ]);
  const stopWorker = async (worker: Worker) => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.get(worker);
    running.delete(worker);
  };

  return {
    client,
    connection,
    taskQueue,
    namespace,
    vault,
    cardVaultTaskQueue: cardVaultWorker.taskQueue,
    cardVaultWorker: { worker: cardVaultWorker.worker, connection },
    keepCardOnFile: cardVaultWorker.keepCardOnFile,
    turnstay,
    trustist,
    providersConfig,
    dataConverter,
    async restartPaymentWorker() {
      await Promise.all(paymentWorkers.map(stopWorker));
      paymentWorkers = await startPaymentWorkers();
      for (const worker of paymentWorkers) running.set(worker, worker.run());
    },
    async shutdown() {
      await Promise.all([...running.keys()].map(stopWorker));
      await connection.close();
      await clientConnection.close();
      await Promise.all([turnstay.close(), trustist.close()]);
    },
  };
}
