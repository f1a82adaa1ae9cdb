import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import { Client, type WorkflowClientInterceptor } from '@temporalio/client';
import { createApiApp } from '../../api/app';
import { hashApiKey } from '../../api/key-hash';
import { createLogger } from '../../infra/logger';
import { AesGcmPayloadCodec } from '../../infra/payload-codec';
import type { PaymentWorkerOptions } from '../../worker/payment-worker';
import type { PaymentTiming } from '../../workflows/payment-types';
import { startPaymentStack, testPayloadEncryption, TURNSTAY_WEBHOOK_SECRET, type PaymentStack } from './payment-stack';
import { keepIdleConnectionsOpen } from '../../infra/http-keep-alive';
import { drainOnStop } from '../../api/http-drain';
import { testApiProviders, type TestProviderPlugin } from './api-providers';
import type { Tracing } from '../../infra/observability/tracing';

export { TURNSTAY_WEBHOOK_SECRET };

export const MERCHANT_KEY = 'mk_test_merchant_one_0123456789';
export const OTHER_MERCHANT_KEY = 'mk_test_merchant_two_0123456789';
export const OPERATOR_KEY = 'ok_test_operator_0123456789';
export const TRUSTIST_WEBHOOK_PATH_SECRET = 'trustist-webhook-path-secret-0123';

export interface ApiStack extends PaymentStack {
  baseUrl: string;
  /** Every log line the API wrote, for the card-data checks. */
  capturedLogs: string[];
  close(): Promise<void>;
}

/** The real API on a free port, in front of a payment stack; the sandboxes' webhooks point at it. */
export async function startApiStack(
  options: {
    timing?: PaymentTiming;
    sandboxLatencyMs?: number;
    providerCallsPerSecond?: Partial<Record<string, number>>;
    /** Interceptors on the API's own Temporal client (fault injection between the API and Temporal). */
    apiClientInterceptors?: WorkflowClientInterceptor[];
    /** Tracing in the workers (the API's client interceptors come with apiClientInterceptors). */
    tracing?: Tracing;
    merchantEvents?: PaymentWorkerOptions['merchantEvents'];
    /** Providers registered by the test alone, beside the built-in ones (an example plugin). */
    plugins?: TestProviderPlugin[];
    paymentAnswerWithinMs?: number;
    ownerReports?: PaymentWorkerOptions['ownerReports'];
    workflowThread?: PaymentWorkerOptions['workflowThread'];
  } = {},
): Promise<ApiStack> {
  const stack = await startPaymentStack({
    workflowThread: options.workflowThread,
    plugins: options.plugins,
    sandboxLatencyMs: options.sandboxLatencyMs,
    providerCallsPerSecond: options.providerCallsPerSecond,
    tracing: options.tracing,
    merchantEvents: options.merchantEvents,
    ownerReports: options.ownerReports,
  });
  const capturedLogs: string[] = [];
  const capture = new Writable({
    write(chunk, _encoding, done) {
      capturedLogs.push(String(chunk));
      done();
    },
  });
  const encryption = testPayloadEncryption();
  const apiClient = options.apiClientInterceptors
    ? new Client({ connection: stack.client.connection, namespace: stack.namespace, dataConverter: stack.dataConverter, interceptors: { workflow: options.apiClientInterceptors } })
    : stack.client;
  const app = createApiApp({
    client: apiClient,
    namespace: stack.namespace,
    taskQueue: stack.taskQueue,
    vault: stack.vault,
    cardVaultTaskQueue: stack.cardVaultTaskQueue,
    cardVaultWorker: stack.cardVaultWorker,
    keepCardOnFile: stack.keepCardOnFile,
    codec: new AesGcmPayloadCodec(encryption.keys, encryption.activeKeyId),
    merchantKeys: [
      { merchantId: 'merchant1', keySha256: hashApiKey(MERCHANT_KEY) },
      { merchantId: 'merchant2', keySha256: hashApiKey(OTHER_MERCHANT_KEY) },
    ],
    operatorKeyHashes: [hashApiKey(OPERATOR_KEY)],
    providers: testApiProviders({ turnstayWebhookSecret: TURNSTAY_WEBHOOK_SECRET, trustistWebhookPathSecret: TRUSTIST_WEBHOOK_PATH_SECRET }, options.plugins),
    webhookToleranceSeconds: 300,
    codecAllowedOrigins: ['http://127.0.0.1:8233', ...(process.env.TEST_TEMPORAL_UI_URL ? [process.env.TEST_TEMPORAL_UI_URL] : [])],
    webUiUrl: process.env.TEST_TEMPORAL_UI_URL,
    timing: options.timing,
    paymentAnswerWithinMs: options.paymentAnswerWithinMs,
    demo: { merchantKey: MERCHANT_KEY },
    log: createLogger('api-test', { level: 'debug', destination: capture }),
  });
  const server: Server = await new Promise((resolve) => {
    const listening = keepIdleConnectionsOpen(app.listen(0, '127.0.0.1', () => resolve(listening)));
  });
  const http = drainOnStop(server);
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stack.turnstay.setWebhookUrl(`${baseUrl}/webhooks/turnstay`);
  stack.trustist.setWebhookUrl(`${baseUrl}/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`);
  return {
    ...stack,
    baseUrl,
    capturedLogs,
    async close() {
      // Requests in flight finish first, and their Temporal calls with them: a client call still retrying when its
      // connection closes throws from a timer, which fails the whole test file.
      await http.drain(10_000);
      await stack.shutdown();
    },
  };
}
