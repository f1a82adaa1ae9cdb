import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * Fault injection for one sandbox instance: fixed latency, random error/timeout/reset rates, and deterministic
 * `failNext` faults, configured by `POST /__sandbox/faults` or per request with the `X-Sandbox-Fault` header.
 *
 * phase "before" (default): the fault replaces the request; the handler never runs, so nothing is charged.
 * phase "after": the handler runs (the charge happens) and its response is then lost (error status, reset or hold).
 */

/** malformed: HTTP 200 with a body that matches no documented schema (a provider bug or a proxy's page). */
export type FaultKind = 'status' | 'timeout' | 'reset' | 'malformed';
export type FaultPhase = 'before' | 'after';

const failNextSchema = z
  .object({
    count: z.int().min(1).max(1000),
    kind: z.enum(['status', 'timeout', 'reset', 'malformed']),
    status: z.int().min(400).max(599).optional(),
    pathPrefix: z.string().startsWith('/').optional(),
    phase: z.enum(['before', 'after']).optional(),
  })
  .strict();

export const faultConfigSchema = z
  .object({
    latencyMs: z.int().min(0).max(600_000).optional(),
    errorRate: z.number().min(0).max(1).optional(),
    errorStatus: z.int().min(400).max(599).optional(),
    timeoutRate: z.number().min(0).max(1).optional(),
    resetRate: z.number().min(0).max(1).optional(),
    /** Limits the rates (not latency, not failNext) to paths starting with this prefix. */
    pathPrefix: z.string().startsWith('/').optional(),
    failNext: failNextSchema.optional(),
  })
  .strict()
  .refine((c) => (c.errorRate ?? 0) + (c.timeoutRate ?? 0) + (c.resetRate ?? 0) <= 1, {
    message: 'errorRate + timeoutRate + resetRate must not exceed 1',
  });

export type FaultConfig = z.infer<typeof faultConfigSchema>;

export interface FaultAction {
  kind: FaultKind;
  status: number;
  phase: FaultPhase;
  source: 'header' | 'failNext' | 'rate';
}

export interface FaultDecision {
  latencyMs: number;
  action?: FaultAction;
}

/** Parses `X-Sandbox-Fault`: directives separated by `,` or `;`: status=NNN, timeout, reset, latency=MS, phase=before|after. */
export function parseFaultHeader(value: string): { latencyMs: number; action?: FaultAction } {
  let latencyMs = 0;
  let kind: FaultKind | undefined;
  let status = 500;
  let phase: FaultPhase = 'before';
  for (const raw of value.split(/[,;]/)) {
    const directive = raw.trim();
    if (!directive) continue;
    const [name, arg] = directive.split('=').map((part) => part.trim()) as [string, string | undefined];
    const number = arg === undefined ? NaN : Number(arg);
    if (name === 'status' && Number.isInteger(number) && number >= 400 && number <= 599) {
      kind = 'status';
      status = number;
    } else if (name === 'latency' && Number.isInteger(number) && number >= 0 && number <= 600_000) {
      latencyMs = number;
    } else if ((name === 'timeout' || name === 'reset') && arg === undefined) {
      kind = name;
    } else if (name === 'phase' && (arg === 'before' || arg === 'after')) {
      phase = arg;
    } else {
      throw new Error(`X-Sandbox-Fault: invalid directive "${directive}" (expected status=NNN, timeout, reset, latency=MS, phase=before|after)`);
    }
  }
  return kind ? { latencyMs, action: { kind, status, phase, source: 'header' } } : { latencyMs };
}

export class FaultInjector {
  private config: FaultConfig = {};
  private failNextRemaining = 0;

  constructor(private readonly baseLatencyMs = 0, private readonly random: () => number = Math.random) {}

  configure(config: FaultConfig): void {
    this.config = { ...config };
    this.failNextRemaining = config.failNext?.count ?? 0;
  }

  current(): FaultConfig & { failNextRemaining: number } {
    return { ...this.config, failNextRemaining: this.failNextRemaining };
  }

  clear(): void {
    this.configure({});
  }

  /** Decides the fault for one request (consumes one failNext when it matches). */
  decide(path: string, headerValue: string | undefined): FaultDecision {
    const header = headerValue ? parseFaultHeader(headerValue) : { latencyMs: 0 };
    const latencyMs = this.baseLatencyMs + (this.config.latencyMs ?? 0) + header.latencyMs;
    if (header.action) return { latencyMs, action: header.action };

    const failNext = this.config.failNext;
    if (failNext && this.failNextRemaining > 0 && (!failNext.pathPrefix || path.startsWith(failNext.pathPrefix))) {
      this.failNextRemaining -= 1;
      return {
        latencyMs,
        action: { kind: failNext.kind, status: failNext.status ?? 500, phase: failNext.phase ?? 'before', source: 'failNext' },
      };
    }

    if (!this.config.pathPrefix || path.startsWith(this.config.pathPrefix)) {
      const draw = this.random();
      const errorRate = this.config.errorRate ?? 0;
      const timeoutRate = this.config.timeoutRate ?? 0;
      const resetRate = this.config.resetRate ?? 0;
      const status = this.config.errorStatus ?? 503;
      if (draw < errorRate) return { latencyMs, action: { kind: 'status', status, phase: 'before', source: 'rate' } };
      if (draw < errorRate + timeoutRate) return { latencyMs, action: { kind: 'timeout', status, phase: 'before', source: 'rate' } };
      if (draw < errorRate + timeoutRate + resetRate) return { latencyMs, action: { kind: 'reset', status, phase: 'before', source: 'rate' } };
    }
    return { latencyMs };
  }
}

const MALFORMED_BODY = { sandbox: 'malformed response', status: 42, next_actions: 'not a list' };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Replaces the response that the handler is about to send with the fault (phase "after"). */
function loseResponse(req: Request, res: Response, action: FaultAction, errorBody: (status: number, message: string) => object): void {
  const originalEnd = res.end.bind(res) as (...args: unknown[]) => Response;
  let fired = false;
  (res as unknown as { end: (...args: unknown[]) => Response }).end = (...args: unknown[]) => {
    if (fired || res.headersSent) return originalEnd(...args);
    fired = true;
    if (action.kind === 'reset') {
      req.socket.destroy();
      return res;
    }
    if (action.kind === 'timeout') return res; // hold: the response is never sent
    const body = JSON.stringify(action.kind === 'malformed' ? MALFORMED_BODY : errorBody(action.status, `Sandbox fault injected after processing (HTTP ${action.status})`));
    res.statusCode = action.kind === 'malformed' ? 200 : action.status;
    for (const name of res.getHeaderNames()) res.removeHeader(name);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    return originalEnd(body);
  };
}

/** Express middleware applying the injector's decision to every provider route (mount after the admin routes). */
export function faultMiddleware(
  injector: FaultInjector,
  errorBody: (status: number, message: string) => object,
  logger: Logger,
): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    let decision: FaultDecision;
    try {
      decision = injector.decide(req.path, req.get('x-sandbox-fault'));
    } catch (error) {
      res.status(400).json(errorBody(400, (error as Error).message));
      return;
    }
    const apply = () => {
      const action = decision.action;
      if (!action) return next();
      logger.info({ method: req.method, path: req.path, fault: action }, 'sandbox fault injected');
      if (action.phase === 'after') {
        loseResponse(req, res, action, errorBody);
        return next();
      }
      if (action.kind === 'reset') return void req.socket.destroy();
      if (action.kind === 'timeout') return; // hold the socket without answering
      if (action.kind === 'malformed') return void res.status(200).json(MALFORMED_BODY);
      res.status(action.status).json(errorBody(action.status, `Sandbox fault injected (HTTP ${action.status})`));
    };
    if (decision.latencyMs > 0) void sleep(decision.latencyMs).then(apply);
    else apply();
  };
}
