import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { keepIdleConnectionsOpen } from '../../infra/http-keep-alive';

export type RouteMethod = 'get' | 'post';

/** The provider's error body for a status and message (TurnStay `{detail}`, Trustist `{error}`). */
export type ErrorBody = (status: number, message: string) => object;

/** An error answer a route throws on purpose: status, message, and extra body fields (e.g. decline_code). */
export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const RAW_BODY = Symbol('sandbox.rawBody');

/** The exact request body bytes as text ('' when there was none); needed for Hawk payload hashes. */
export function rawBodyOf(req: Request): string {
  return (req as unknown as Record<symbol, string | undefined>)[RAW_BODY] ?? '';
}

/** JSON body parser that keeps the raw body. Non-JSON content types leave req.body undefined. */
export function jsonBody(): RequestHandler {
  return express.json({
    limit: '100kb',
    type: () => true,
    verify: (req: IncomingMessage, _res, buf) => {
      (req as unknown as Record<symbol, string>)[RAW_BODY] = buf.toString('utf8');
    },
  });
}

/** Turns body-parser and unexpected errors into the provider's error body. */
export function errorHandler(errorBody: ErrorBody, onUnexpected: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    if (error instanceof SandboxHttpError) {
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      return void res.status(error.status).json({ ...errorBody(error.status, error.message), ...error.extra });
    }
    const { status, type } = error as { status?: number; type?: string };
    if (type === 'entity.parse.failed') return void res.status(400).json(errorBody(400, 'Request body is not valid JSON'));
    if (type === 'entity.too.large') return void res.status(413).json(errorBody(413, 'Request body is too large'));
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return void res.status(status).json(errorBody(status, (error as Error).message));
    }
    onUnexpected(error);
    res.status(500).json(errorBody(500, 'Internal server error'));
  };
}

export function notFound(errorBody: ErrorBody): RequestHandler {
  return (req, res) => void res.status(404).json(errorBody(404, `No route for ${req.method} ${req.path}`));
}

export function methodNotAllowed(errorBody: ErrorBody, allowed: string[]): RequestHandler {
  return (req, res) => {
    res.setHeader('Allow', allowed.join(', '));
    res.status(405).json(errorBody(405, `Method ${req.method} is not allowed on ${req.path}; use ${allowed.join(' or ')}`));
  };
}

export interface ListeningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port) and reports the base URL. close() drops held connections too. */
export function listen(app: express.Express, host: string, port: number): Promise<ListeningServer> {
  const server = keepIdleConnectionsOpen(createServer(app));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const urlHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        server,
        url: `http://${urlHost}:${address.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Canonical JSON (sorted keys) to compare request bodies for idempotency. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Registers handlers per method on a path; other methods get 405 with an Allow header. */
export function route(app: express.Express, errorBody: ErrorBody, path: string, handlers: Partial<Record<RouteMethod, RequestHandler[]>>): void {
  const chain = app.route(path);
  const allowed: string[] = [];
  for (const [method, list] of Object.entries(handlers) as [RouteMethod, RequestHandler[]][]) {
    chain[method](...list);
    allowed.push(method.toUpperCase());
  }
  chain.all(methodNotAllowed(errorBody, allowed));
}
