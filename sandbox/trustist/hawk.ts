import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { rawBodyOf, SandboxHttpError } from '../shared/http';

/**
 * Trustist's request authentication: Hawk (HMAC-SHA256) verified with @hapi/hawk. Requests with and without a
 * payload hash are accepted (a present hash is checked against the raw body); a timestamp more than 60 s off, a
 * reused nonce, a bad MAC or an unknown id is rejected with 401 and `WWW-Authenticate: Hawk ...`.
 */

export interface HawkCredentials {
  id: string;
  key: string;
  algorithm: 'sha256' | 'sha1';
}

interface HawkArtifacts {
  ts: string;
  nonce: string;
  hash?: string;
  id: string;
}

interface HawkError extends Error {
  isBoom?: boolean;
  output?: { statusCode: number; headers: Record<string, string> };
}

interface HawkLibrary {
  server: {
    authenticate(
      req: IncomingMessage,
      credentialsFunc: (id: string) => Promise<HawkCredentials | null>,
      options: { timestampSkewSec?: number; nonceFunc?: (key: string, nonce: string, ts: string) => Promise<void> },
    ): Promise<{ credentials: HawkCredentials; artifacts: HawkArtifacts }>;
    authenticatePayload(payload: string, credentials: HawkCredentials, artifacts: HawkArtifacts, contentType: string): void;
  };
}

// @hapi/hawk ships no type declarations; this is the part of its API the sandbox uses.
const Hawk = require('@hapi/hawk') as HawkLibrary;

export const HAWK_TIMESTAMP_SKEW_SEC = 60;

/** Nonces seen per key within the timestamp window (a reused nonce is a replay). */
export class NonceStore {
  private seen = new Map<string, number>();

  /** Throws when the nonce was already used with this key; remembers it otherwise. */
  check(key: string, nonce: string): void {
    const now = Date.now();
    if (this.seen.size > 10_000) {
      for (const [entry, at] of this.seen) if (now - at > 2 * HAWK_TIMESTAMP_SKEW_SEC * 1000) this.seen.delete(entry);
    }
    const id = `${key}\u0000${nonce}`;
    if (this.seen.has(id)) throw new Error('nonce reused');
    this.seen.set(id, now);
  }

  clear(): void {
    this.seen.clear();
  }
}

const CREDENTIALS = Symbol('trustist.hawkCredentials');

/** The Hawk id that authenticated this request. */
export function hawkIdOf(req: object): string | undefined {
  return (req as Record<symbol, string | undefined>)[CREDENTIALS];
}

export function hawkAuth(credentials: readonly { id: string; key: string }[], nonces: NonceStore): RequestHandler {
  const byId = new Map(credentials.map((c) => [c.id, { id: c.id, key: c.key, algorithm: 'sha256' as const }]));
  return async (req, _res, next) => {
    try {
      const { credentials: found, artifacts } = await Hawk.server.authenticate(req, async (id) => byId.get(id) ?? null, {
        timestampSkewSec: HAWK_TIMESTAMP_SKEW_SEC,
        nonceFunc: async (key, nonce) => nonces.check(key, nonce),
      });
      if (artifacts.hash) Hawk.server.authenticatePayload(rawBodyOf(req), found, artifacts, req.get('content-type') ?? '');
      (req as unknown as Record<symbol, string>)[CREDENTIALS] = found.id;
      next();
    } catch (error) {
      const boom = error as HawkError;
      if (!boom.isBoom || !boom.output) throw error;
      const message = boom.message && boom.message !== 'Unauthorized' ? boom.message : 'Missing or non-Hawk Authorization header';
      const challenge = boom.output.statusCode === 401 && boom.output.headers['WWW-Authenticate']
        ? boom.output.headers['WWW-Authenticate']
        : `Hawk error="${message.replace(/"/g, "'")}"`;
      throw new SandboxHttpError(401, `Hawk authentication failed: ${message}`, {}, { 'WWW-Authenticate': challenge });
    }
  };
}
