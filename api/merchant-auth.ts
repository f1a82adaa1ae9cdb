import type { RequestHandler } from 'express';
import { ApiError } from './api-error';
import { hashApiKey, hashesEqual } from './key-hash';

export interface MerchantKey {
  merchantId: string;
  keySha256: string;
}

declare module 'express-serve-static-core' {
  interface Request {
    merchantId?: string;
  }
}

/** Bearer API key authentication for merchants; the key identifies the merchant whose payments it may touch. */
export function merchantAuth(keys: MerchantKey[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, 'unauthenticated', 'an API key is required: Authorization: Bearer <key>', 'Authorization');
    const presented = hashApiKey(match[1]);
    const merchant = keys.find((key) => hashesEqual(key.keySha256, presented));
    if (!merchant) throw new ApiError(401, 'unauthenticated', 'the API key is not valid', 'Authorization');
    req.merchantId = merchant.merchantId;
    next();
  };
}

export function requireMerchantId(req: { merchantId?: string }): string {
  if (!req.merchantId) throw new ApiError(401, 'unauthenticated', 'an API key is required', 'Authorization');
  return req.merchantId;
}
