import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { RequestHandler } from 'express';
import { ApiError } from './api-error';
import { hashApiKey, hashesEqual } from './key-hash';

export const OPERATOR_SESSION_COOKIE = 'dp_operator_session';
const SESSION_TTL_MS = 8 * 3_600_000;

/**
 * Operators authenticate with a Bearer operator key (CLI, or a Web UI that passes its access token) or with a
 * session cookie from /ops/login (a Web UI set to include cross-origin credentials; same site, other port).
 * Sessions are signed with OPERATOR_SESSION_SECRET, so every replica accepts them and they outlive a restart;
 * without one, a random secret of this process signs them (sessions end with the process).
 */
export class OperatorAuth {
  private readonly sessionSecret: Buffer;

  constructor(
    private readonly keyHashes: string[],
    sessionSecret?: string,
  ) {
    this.sessionSecret = sessionSecret ? Buffer.from(sessionSecret, 'utf8') : randomBytes(32);
  }

  keyIsValid(key: string): boolean {
    const presented = hashApiKey(key);
    return this.keyHashes.some((hash) => hashesEqual(hash, presented));
  }

  issueSession(now = Date.now()): string {
    const expires = String(now + SESSION_TTL_MS);
    return `${expires}.${this.sign(expires)}`;
  }

  sessionIsValid(token: string | undefined, now = Date.now()): boolean {
    const [expires, signature] = (token ?? '').split('.');
    if (!expires || !signature || Number(expires) < now) return false;
    const expected = Buffer.from(this.sign(expires));
    const presented = Buffer.from(signature);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  }

  middleware(): RequestHandler {
    return (req, _res, next) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.header('authorization') ?? '')?.[1];
      if (bearer && this.keyIsValid(bearer)) return next();
      if (this.sessionIsValid(parseCookies(req.header('cookie') ?? '')[OPERATOR_SESSION_COOKIE])) return next();
      throw new ApiError(401, 'operator_unauthenticated', 'operator credentials are required', 'Authorization');
    };
  }

  private sign(value: string): string {
    return createHmac('sha256', this.sessionSecret).update(value).digest('hex');
  }
}
