import type { Logger } from 'pino';
import { FaultInjector } from '../shared/faults';
import { listen } from '../shared/http';
import { Ledger } from '../shared/ledger';
import { createSandboxLogger } from '../shared/logger';
import { RequestLog } from '../shared/request-log';
import { WebhookDispatcher, type WebhookRetryOptions } from '../shared/webhook-dispatcher';
import { WebhookTargets } from '../shared/webhook-targets';
import { createTrustistApp } from './app';
import { NonceStore } from './hawk';
import { TrustistPayments } from './payments';

export const DEFAULT_TRUSTIST_CREDENTIALS = [{ id: 'sandbox-merchant', key: 'sandbox-hawk-key-0123456789abcdef' }];

export interface TrustistSandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Hawk credentials (algorithm sha256); default [{id:'sandbox-merchant', key:'sandbox-hawk-key-0123456789abcdef'}]. */
  credentials?: { id: string; key: string }[];
  /** merchantId in webhooks; default 'sandbox-merchant'. */
  merchantId?: string;
  webhookUrl?: string;
  /** Fixed latency added to every provider call; default 0. */
  latencyMs?: number;
  /** Delay of the slow test card; default 3000. */
  slowCardDelayMs?: number;
  /** Default { baseDelayMs: 500, maxAttempts: 6 }. */
  webhookRetry?: WebhookRetryOptions;
  /** Extension: orgId in webhooks; default 'sandbox-org'. */
  orgId?: string;
  /** Extension: the pino logger to use. */
  logger?: Logger;
}

export interface RunningTrustistSandbox {
  apiUrl: string;
  /** Several URLs are taken in turn per attempt, as a load balancer in front of several API instances would. */
  setWebhookUrl(url: string | readonly string[]): void;
  close(): Promise<void>;
}

export async function startTrustistSandbox(options: TrustistSandboxOptions = {}): Promise<RunningTrustistSandbox> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createSandboxLogger('sandbox.trustist');
  const webhookTargets = new WebhookTargets(options.webhookUrl);
  let apiUrl = '';

  const ledger = new Ledger('trustist');
  const webhooks = new WebhookDispatcher({
    getUrl: () => webhookTargets.next(),
    retry: options.webhookRetry,
    userAgent: 'Trustist-Sandbox-Webhooks/1.0',
    logger,
  });
  const credentials = options.credentials ?? DEFAULT_TRUSTIST_CREDENTIALS;
  const payments = new TrustistPayments({
    merchantId: options.merchantId ?? credentials[0]?.id ?? 'sandbox-merchant',
    orgId: options.orgId ?? 'sandbox-org',
    slowCardDelayMs: options.slowCardDelayMs ?? 3000,
    apiUrl: () => apiUrl,
    ledger,
    webhooks,
    logger,
  });
  const server = await listen(
    createTrustistApp({
      payments,
      ledger,
      requestLog: new RequestLog(),
      faults: new FaultInjector(options.latencyMs ?? 0),
      webhooks,
      logger,
      credentials,
      nonces: new NonceStore(),
    }),
    host,
    options.port ?? 0,
  );
  apiUrl = server.url;
  logger.info({ apiUrl }, 'Trustist sandbox listening');

  let closed = false;
  return {
    apiUrl,
    setWebhookUrl: (url) => webhookTargets.set(url),
    close: async () => {
      if (closed) return;
      closed = true;
      webhooks.close();
      await server.close();
    },
  };
}
