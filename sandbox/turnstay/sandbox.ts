import type { Logger } from 'pino';
import { FaultInjector } from '../shared/faults';
import { listen } from '../shared/http';
import { Ledger } from '../shared/ledger';
import { createSandboxLogger } from '../shared/logger';
import { RequestLog } from '../shared/request-log';
import { WebhookDispatcher, type WebhookRetryOptions } from '../shared/webhook-dispatcher';
import { WebhookTargets } from '../shared/webhook-targets';
import { createTurnstayApiApp } from './app';
import { TurnstayPayments } from './payments';
import { createTurnstayScsApp } from './scs-app';
import type { TurnstayServices } from './services';
import { SIGNATURE_HEADER, signatureHeader } from './signature';

export interface TurnstaySandboxOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** API port; 0 (default) = a free port. */
  port?: number;
  /** Secure Card Service port; 0 (default) = a free port. */
  scsPort?: number;
  /** Accepted Bearer keys; default ['sk_test_sandbox']. */
  apiKeys?: string[];
  /** Default 1001. */
  accountId?: number;
  /** Default 'GBP'. */
  accountCurrency?: string;
  /** Extension: an account that settles in several currencies (wins over accountCurrency). */
  accountCurrencies?: string[];
  webhookUrl?: string;
  /** Default 'whsec_sandbox'. */
  webhookSecret?: string;
  /** Fixed latency added to every provider call; default 0. */
  latencyMs?: number;
  /** Delay of the slow test card; default 3000. */
  slowCardDelayMs?: number;
  /** Default { baseDelayMs: 500, maxAttempts: 6 }. */
  webhookRetry?: WebhookRetryOptions;
  /** Extension: the pino logger to use (default: a JSON logger, silent under jest unless SANDBOX_LOG_LEVEL is set). */
  logger?: Logger;
}

export interface RunningTurnstaySandbox {
  apiUrl: string;
  scsUrl: string;
  /** Several URLs are taken in turn per attempt, as a load balancer in front of several API instances would. */
  setWebhookUrl(url: string | readonly string[]): void;
  close(): Promise<void>;
}

export async function startTurnstaySandbox(options: TurnstaySandboxOptions = {}): Promise<RunningTurnstaySandbox> {
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? createSandboxLogger('sandbox.turnstay');
  const secret = options.webhookSecret ?? 'whsec_sandbox';
  const webhookTargets = new WebhookTargets(options.webhookUrl);
  const urls = { api: '', scs: '' };

  const ledger = new Ledger('turnstay');
  const webhooks = new WebhookDispatcher({
    getUrl: () => webhookTargets.next(),
    retry: options.webhookRetry,
    sign: (body) => ({ [SIGNATURE_HEADER]: signatureHeader(secret, body) }),
    userAgent: 'TurnStay-Sandbox-Webhooks/1.0',
    logger,
  });
  const payments = new TurnstayPayments({
    accountId: options.accountId ?? 1001,
    accountCurrencies: options.accountCurrencies ?? [options.accountCurrency ?? 'GBP'],
    slowCardDelayMs: options.slowCardDelayMs ?? 3000,
    urls: () => urls,
    ledger,
    webhooks,
    logger,
  });
  const services: TurnstayServices = {
    payments,
    ledger,
    requestLog: new RequestLog(),
    faults: new FaultInjector(options.latencyMs ?? 0),
    webhooks,
    logger,
    apiKeys: options.apiKeys ?? ['sk_test_sandbox'],
  };

  const api = await listen(createTurnstayApiApp(services), host, options.port ?? 0);
  let scs;
  try {
    scs = await listen(createTurnstayScsApp(services), host, options.scsPort ?? 0);
  } catch (error) {
    await api.close();
    throw error;
  }
  urls.api = api.url;
  urls.scs = scs.url;
  logger.info({ apiUrl: api.url, scsUrl: scs.url }, 'TurnStay sandbox listening');

  let closed = false;
  return {
    apiUrl: api.url,
    scsUrl: scs.url,
    setWebhookUrl: (url) => webhookTargets.set(url),
    close: async () => {
      if (closed) return;
      closed = true;
      webhooks.close();
      await Promise.all([api.close(), scs.close()]);
    },
  };
}
