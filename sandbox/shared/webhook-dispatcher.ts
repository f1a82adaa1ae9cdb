import { setMaxListeners } from 'node:events';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * Outgoing webhooks of one sandbox instance: first attempts are sent one at a time in event order; a delivery that
 * gets a non-2xx answer or a connection error is retried with exponential backoff (baseDelayMs * 2^(attempt-1))
 * up to maxAttempts attempts in all. An admin switch drops, duplicates, delays or reorders deliveries.
 */

export interface WebhookRetryOptions {
  baseDelayMs: number;
  maxAttempts: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetryOptions = { baseDelayMs: 500, maxAttempts: 6 };

export const webhookModeSchema = z
  .object({
    mode: z.enum(['deliver', 'drop', 'duplicate', 'delay', 'reorder']),
    /** mode "delay": wait this long before the first attempt of each delivery (default 1000). */
    delayMs: z.int().min(0).max(600_000).optional(),
    /** mode "reorder": hold deliveries until this many are held, then send them newest first (default 2). */
    holdCount: z.int().min(1).max(1000).optional(),
  })
  .strict();

export type WebhookModeConfig = z.infer<typeof webhookModeSchema>;

export interface OutgoingWebhook {
  /** Provider event id (TurnStay evt_…, Trustist `<paymentId>:<eventType>`). */
  id: string;
  type: string;
  /** The exact JSON body to send (signatures cover these bytes). */
  body: string;
}

export type DeliveryState = 'pending' | 'held' | 'delivered' | 'failed' | 'dropped' | 'no_url';

export interface DeliveryAttempt {
  at: string;
  status: number | null;
  error?: string;
}

export interface DeliveryRecord {
  deliveryId: number;
  eventId: string;
  eventType: string;
  event: unknown;
  duplicate: boolean;
  mode: WebhookModeConfig['mode'];
  state: DeliveryState;
  attempts: number;
  lastStatus: number | null;
  lastError?: string;
  url?: string;
  attemptLog: DeliveryAttempt[];
  createdAt: string;
}

export interface WebhookDispatcherOptions {
  getUrl: () => string | undefined;
  retry?: Partial<WebhookRetryOptions>;
  /** Extra headers per attempt, computed from the raw body (e.g. a fresh signature). */
  sign?: (rawBody: string) => Record<string, string>;
  userAgent: string;
  logger: Logger;
  attemptTimeoutMs?: number;
}

interface AttemptResult {
  status: number | null;
  error?: string;
}

function post(url: string, body: string, headers: Record<string, string>, timeoutMs: number, signal: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ status: null, error: `invalid webhook URL` });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      { method: 'POST', agent: false, signal, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? null }));
        res.on('error', (error) => resolve({ status: res.statusCode ?? null, error: error.message }));
      },
    );
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: null, error: error.message }));
    req.end(body);
  });
}

/** One signal aborts every delivery in flight on reset: hundreds listen at once under load, which is no leak. */
function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

export class WebhookDispatcher {
  private readonly retry: WebhookRetryOptions;
  private modeConfig: WebhookModeConfig = { mode: 'deliver' };
  private records: DeliveryRecord[] = [];
  private held: DeliveryRecord[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timers = new Set<NodeJS.Timeout>();
  private abort = sharedAbortController();
  private nextDeliveryId = 1;
  /** The exact bytes to send per delivery (kept out of the admin log). */
  private bodies = new WeakMap<DeliveryRecord, string>();
  private closed = false;
  private generation = 0;

  constructor(private readonly options: WebhookDispatcherOptions) {
    this.retry = { ...DEFAULT_WEBHOOK_RETRY, ...options.retry };
  }

  get mode(): WebhookModeConfig {
    return { ...this.modeConfig };
  }

  setMode(config: WebhookModeConfig): void {
    const leavingReorder = this.modeConfig.mode === 'reorder' && config.mode !== 'reorder';
    this.modeConfig = { ...config };
    if (leavingReorder) this.flush();
  }

  /** Sends held (reorder) deliveries now, newest first. */
  flush(): number {
    const released = this.held.reverse();
    this.held = [];
    for (const record of released) {
      record.state = 'pending';
      this.enqueueFirstAttempt(record);
    }
    return released.length;
  }

  send(webhook: OutgoingWebhook): void {
    if (this.closed) return;
    const { mode } = this.modeConfig;
    const record = this.newRecord(webhook, false);
    if (mode === 'drop') {
      record.state = 'dropped';
      this.options.logger.info({ eventId: webhook.id, type: webhook.type }, 'webhook dropped (sandbox mode)');
      return;
    }
    if (mode === 'reorder') {
      record.state = 'held';
      this.held.push(record);
      if (this.held.length >= (this.modeConfig.holdCount ?? 2)) this.flush();
      return;
    }
    if (mode === 'delay') {
      this.later(this.modeConfig.delayMs ?? 1000, () => this.enqueueFirstAttempt(record));
      return;
    }
    this.enqueueFirstAttempt(record);
    if (mode === 'duplicate') this.enqueueFirstAttempt(this.newRecord(webhook, true));
  }

  log(): { mode: WebhookModeConfig; pending: number; deliveries: DeliveryRecord[] } {
    const pending = this.records.filter((r) => r.state === 'pending' || r.state === 'held').length;
    return { mode: this.mode, pending, deliveries: this.records.map((r) => ({ ...r, attemptLog: [...r.attemptLog] })) };
  }

  /** Forgets every delivery, cancels pending retries and returns to mode "deliver". */
  reset(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
    this.abort = sharedAbortController();
    this.records = [];
    this.held = [];
    this.modeConfig = { mode: 'deliver' };
    this.chain = Promise.resolve();
  }

  close(): void {
    this.closed = true;
    this.reset();
  }

  private newRecord(webhook: OutgoingWebhook, duplicate: boolean): DeliveryRecord {
    const record: DeliveryRecord = {
      deliveryId: this.nextDeliveryId++,
      eventId: webhook.id,
      eventType: webhook.type,
      event: JSON.parse(webhook.body) as unknown,
      duplicate,
      mode: this.modeConfig.mode,
      state: 'pending',
      attempts: 0,
      lastStatus: null,
      attemptLog: [],
      createdAt: new Date().toISOString(),
    };
    this.bodies.set(record, webhook.body);
    this.records.push(record);
    return record;
  }

  private later(ms: number, fn: () => void): void {
    const generation = this.generation;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (generation === this.generation && !this.closed) fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private enqueueFirstAttempt(record: DeliveryRecord): void {
    const generation = this.generation;
    this.chain = this.chain.then(() => (generation === this.generation ? this.attempt(record) : undefined));
  }

  private async attempt(record: DeliveryRecord): Promise<void> {
    if (this.closed) return;
    const url = this.options.getUrl();
    if (!url) {
      record.state = 'no_url';
      return;
    }
    const body = this.bodies.get(record) ?? '';
    const headers = {
      'Content-Type': 'application/json',
      'User-Agent': this.options.userAgent,
      'X-Sandbox-Delivery-Attempt': String(record.attempts + 1),
      ...(this.options.sign?.(body) ?? {}),
    };
    const generation = this.generation;
    const result = await post(url, body, headers, this.options.attemptTimeoutMs ?? 5000, this.abort.signal);
    if (generation !== this.generation) return;
    record.url = url;
    record.attempts += 1;
    record.lastStatus = result.status;
    record.lastError = result.error;
    record.attemptLog.push({ at: new Date().toISOString(), status: result.status, ...(result.error ? { error: result.error } : {}) });
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const logFields = { eventId: record.eventId, type: record.eventType, attempt: record.attempts, status: result.status, error: result.error };
    if (ok) {
      record.state = 'delivered';
      this.options.logger.info(logFields, 'webhook delivered');
      return;
    }
    if (record.attempts >= this.retry.maxAttempts) {
      record.state = 'failed';
      this.options.logger.warn(logFields, 'webhook delivery gave up');
      return;
    }
    const delay = this.retry.baseDelayMs * 2 ** (record.attempts - 1);
    this.options.logger.info({ ...logFields, retryInMs: delay }, 'webhook delivery failed; will retry');
    this.later(delay, () => void this.attempt(record));
  }
}
