import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from '../../support/wait-until';

/** Test helpers for the sandbox tests: JSON over fetch, a webhook receiver, Hawk client headers, polling. */

export const FUTURE_YEAR = new Date().getUTCFullYear() + 2;
export const PAST_YEAR = new Date().getUTCFullYear() - 1;

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = Record<string, unknown>>(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string; timeoutMs?: number } = {},
): Promise<JsonAnswer<T>> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body: string | undefined = init.rawBody;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
    signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
  at: number;
  /** Status this receiver answered. */
  answered: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** An HTTP receiver; `answer(n)` (n = 1-based request count) picks the status of each answer (default 200). */
export async function startReceiver(answer: (n: number) => number = () => 200): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const status = answer(received.length + 1);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        // keep {}
      }
      received.push({ headers: req.headers, raw, body, at: Date.now(), answered: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'fail');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    waitFor: (count, timeoutMs = 5000) => waitUntil(() => `${count} webhooks (got ${received.length})`, async () => (received.length >= count ? received.slice() : undefined), timeoutMs, 20),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---- Hawk client (the library the Trustist docs recommend), typed for what the tests use ----

export interface HawkClientOptions {
  credentials: { id: string; key: string; algorithm: 'sha256' };
  timestamp?: number;
  nonce?: string;
  payload?: string;
  contentType?: string;
  hash?: string;
}

interface HawkClientLibrary {
  client: { header(uri: string, method: string, options: HawkClientOptions): { header: string } };
  crypto: { calculatePayloadHash(payload: string, algorithm: string, contentType: string): string };
}

export const Hawk = require('@hapi/hawk') as HawkClientLibrary;

export const HAWK_CREDENTIALS = { id: 'sandbox-merchant', key: 'sandbox-hawk-key-0123456789abcdef', algorithm: 'sha256' as const };

/** A Hawk-signed JSON request; `withHash` (default true) includes the payload hash. */
export async function hawkCall<T = Record<string, unknown>>(
  url: string,
  method: string,
  body?: unknown,
  options: { withHash?: boolean; hawk?: Partial<HawkClientOptions>; tamper?: (raw: string) => string; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<JsonAnswer<T>> {
  const raw = body === undefined ? undefined : JSON.stringify(body);
  const contentType = 'application/json';
  const { header } = Hawk.client.header(url, method, {
    credentials: HAWK_CREDENTIALS,
    ...(raw !== undefined && options.withHash !== false ? { payload: raw, contentType } : {}),
    ...options.hawk,
  });
  return call<T>(url, {
    method,
    rawBody: raw === undefined ? undefined : options.tamper ? options.tamper(raw) : raw,
    headers: { authorization: header, ...(raw !== undefined ? { 'content-type': contentType } : {}), ...(options.headers ?? {}) },
    timeoutMs: options.timeoutMs,
  });
}

// ---- admin ----

export interface LedgerEntry {
  type: 'charge' | 'refund';
  provider: string;
  reference: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
  at: string;
}

export async function ledgerOf(baseUrl: string, reference?: string): Promise<LedgerEntry[]> {
  const query = reference === undefined ? '' : `?reference=${encodeURIComponent(reference)}`;
  return (await call<{ entries: LedgerEntry[] }>(`${baseUrl}/__sandbox/ledger${query}`)).body.entries;
}

export async function admin(baseUrl: string, path: string, body: unknown): Promise<JsonAnswer> {
  const answer = await call(`${baseUrl}/__sandbox${path}`, { method: 'POST', body });
  if (answer.status !== 200) throw new Error(`admin ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer;
}

export const silentLogger = () => require('pino')({ level: 'silent' });
