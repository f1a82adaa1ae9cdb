import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

/** One provider request as seen by the sandbox (admin routes excluded). Used for rate and retry proofs. */
export interface RequestLogEntry {
  method: string;
  path: string;
  /** Response status; null while unanswered or when the connection was dropped without a response. */
  status: number | null;
  at: string;
  /** Which server of the instance answered ('api' or 'scs'). */
  server: string;
  durationMs?: number;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  /** Records every request and writes one access-log line (method, path without query, status, duration). */
  middleware(server: string, logger?: Logger): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const started = Date.now();
      const entry: RequestLogEntry = { method: req.method, path: req.path, status: null, at: new Date(started).toISOString(), server };
      this.entries.push(entry);
      res.on('finish', () => {
        entry.status = res.statusCode;
        entry.durationMs = Date.now() - started;
        logger?.info({ server, method: entry.method, path: entry.path, status: entry.status, durationMs: entry.durationMs }, 'request');
      });
      next();
    };
  }

  list(): RequestLogEntry[] {
    return this.entries.map((entry) => ({ ...entry }));
  }

  clear(): void {
    this.entries = [];
  }
}
