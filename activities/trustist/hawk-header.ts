import type { TrustistConfig } from './config';

/** The one @hapi/hawk client function we use (the package ships no typings). */
interface HawkClient {
  header(
    uri: string,
    method: string,
    options: { credentials: { id: string; key: string; algorithm: 'sha256' }; payload?: string; contentType?: string },
  ): { header: string };
}
const hawk = (require('@hapi/hawk') as { client: HawkClient }).client;

/** Trustist authenticates every request with Hawk (HMAC-SHA256), signing the body hash too when there is one. */
export function hawkAuthorization(config: TrustistConfig, method: string, url: string, body?: string): string {
  const credentials = { id: config.keyId, key: config.key, algorithm: 'sha256' as const };
  const signed = body === undefined ? {} : { payload: body, contentType: 'application/json' };
  return hawk.header(url, method, { credentials, ...signed }).header;
}
