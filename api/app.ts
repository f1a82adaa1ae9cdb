import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Logger } from 'pino';
import type { NativeConnection, Worker } from '@temporalio/worker';
import type { CardVault } from '../worker/card-vault';
import type { CardVaultWorker } from '../worker/card-vault-worker';
import type { PaymentTiming } from '../workflows/payment-types';
import { ApiError, errorHandler } from './api-error';
import { httpMetrics } from './http-metrics';
import { httpTracing } from './http-tracing';
import { merchantAuth, type MerchantKey } from './merchant-auth';
import { requestLogging } from './request-logging';
import { buildOpenApiDocument } from './openapi';
import { OperatorAuth } from './operator-auth';
import type { CreatePaymentRules } from './payment-schemas';
import type { ApiProvider } from '../activities/provider-module';
import { codecRoutes } from './routes/codec';
import { demoRoutes } from './routes/demo';
import { eventRoutes } from './routes/events';
import { healthRoutes } from './routes/health';
import { operationsRoutes } from './routes/operations';
import { metricsRoutes, type MetricsScrape } from './routes/metrics';
import { operatorLoginRoutes } from './routes/operator-login';
import { paymentRoutes } from './routes/payments';
import { reservationRoutes } from './routes/reservations';
import { webhookRoutes } from './routes/webhooks';

export interface ApiDependencies {
  client: Client;
  namespace: string;
  taskQueue: string;
  vault: CardVault;
  cardVaultTaskQueue: string;
  /** This process's card-vault worker and its connection: /ready includes them. */
  cardVaultWorker: { worker: Worker; connection: NativeConnection };
  /** Keeps a card on file at its provider from this process, before a reservation starts (card-vault-worker.ts). */
  keepCardOnFile: CardVaultWorker['keepCardOnFile'];
  codec: PayloadCodec;
  merchantKeys: MerchantKey[];
  operatorKeyHashes: string[];
  /** Signs operator sessions; shared by every replica (a random per-process secret when absent). */
  operatorSessionSecret?: string;
  /** Express `trust proxy`: which proxies' X-Forwarded-Proto to believe (HTTPS makes the session cookie Secure). */
  trustProxy?: string | number;
  /** The registered providers as the API sees them (activities/provider-registry.ts createApiProviders). */
  providers: readonly ApiProvider[];
  webhookToleranceSeconds: number;
  codecAllowedOrigins: string[];
  /** The Temporal Web UI's base URL, for the operator page's links (none: plain workflow IDs). */
  webUiUrl?: string;
  timing?: PaymentTiming;
  /** POST /v1/payments answers 202 with the payment so far past this (default DEFAULT_PAYMENT_ANSWER_WITHIN_MS). */
  paymentAnswerWithinMs?: number;
  /** Demo page settings: a merchant key for the demo only (never in production). */
  demo?: { merchantKey: string };
  log: Logger;
  /** The metrics page (GET /metrics): this process's metrics, with the Temporal SDK's where the process installed them. */
  metricsScrape?: MetricsScrape;
}

export function createApiApp(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.trustProxy !== undefined) app.set('trust proxy', deps.trustProxy);
  const { log } = deps;
  app.use(requestLogging(log));
  app.use(httpMetrics());
  app.use(httpTracing());
  app.use(metricsRoutes(deps.metricsScrape));
  const operatorAuth = new OperatorAuth(deps.operatorKeyHashes, deps.operatorSessionSecret);
  app.use(healthRoutes({ client: deps.client, namespace: deps.namespace, cardVaultWorker: deps.cardVaultWorker }));
  app.use(webhookRoutes({
    client: deps.client,
    taskQueue: deps.taskQueue,
    providers: deps.providers,
    toleranceSeconds: deps.webhookToleranceSeconds,
    log,
  }));
  app.use(codecRoutes({ codec: deps.codec, operatorAuth, allowedOrigins: deps.codecAllowedOrigins }));
  app.use(operatorLoginRoutes(operatorAuth));
  app.use(operationsRoutes({
    client: deps.client,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue,
    operatorAuth,
    webUiUrl: deps.webUiUrl,
    providerNames: deps.providers.map((provider) => provider.name),
  }));
  const rules: CreatePaymentRules = { providers: deps.providers };
  const openApi = buildOpenApiDocument(rules, { demo: deps.demo !== undefined });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  if (deps.demo) app.use(demoRoutes(deps.demo));
  app.use('/v1', merchantAuth(deps.merchantKeys), express.json({ limit: '32kb', strict: true, type: () => true }));
  const merchantRouteOptions = {
    client: deps.client,
    taskQueue: deps.taskQueue,
    vault: deps.vault,
    cardVaultTaskQueue: deps.cardVaultTaskQueue,
    keepCardOnFile: deps.keepCardOnFile,
    rules,
    timing: deps.timing,
    paymentAnswerWithinMs: deps.paymentAnswerWithinMs,
    log,
  };
  app.use(paymentRoutes(merchantRouteOptions));
  app.use(reservationRoutes(merchantRouteOptions));
  app.use(eventRoutes({ client: deps.client, taskQueue: deps.taskQueue }));
  app.use((req) => {
    throw new ApiError(404, 'route_not_found', `no route ${req.method} ${req.path}`, 'path');
  });
  app.use(errorHandler(log));
  return app;
}
