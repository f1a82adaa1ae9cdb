import { createHash } from 'node:crypto';
import { z } from 'zod';
import { httpUrl, jsonText } from './env-config';

/** One receiver of a merchant's events; the secret signs them (Standard Webhooks, `whsec_` + base64). */
export interface MerchantEndpoint {
  id: string;
  url: string;
  secret: string;
}

/** Each merchant's endpoints, by merchant id. */
export type MerchantEndpoints = Record<string, MerchantEndpoint[]>;

const endpointSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1 to 40 letters, digits, _ or -').optional(),
    url: httpUrl,
    secret: z.string().regex(/^whsec_[A-Za-z0-9+/]{16,}={0,2}$/, 'must be whsec_ followed by a base64 key of at least 12 bytes'),
  })
  .strict();

export const merchantEndpointsSchema = z.record(z.string().regex(/^[A-Za-z0-9_]{1,40}$/, 'merchant ids are 1 to 40 letters, digits or _'), z.array(endpointSchema).max(10));

/**
 * `MERCHANT_EVENT_ENDPOINTS`: JSON such as `{"merchant1":[{"url":"https://…","secret":"whsec_…"}]}`. An endpoint
 * without an id is named after its URL, so reordering the list does not move deliveries between endpoints.
 */
export const merchantEventsEnvSchema = z.object({
  MERCHANT_EVENT_ENDPOINTS: z
    .string()
    .default('{}')
    .pipe(jsonText('{"<merchantId>":[{"url":"…","secret":"whsec_…"}]}'))
    .pipe(merchantEndpointsSchema)
    .transform(withEndpointIds),
});

export function withEndpointIds(config: z.infer<typeof merchantEndpointsSchema>): MerchantEndpoints {
  return Object.fromEntries(
    Object.entries(config).map(([merchantId, endpoints]) => [
      merchantId,
      endpoints.map((endpoint) => ({ ...endpoint, id: endpoint.id ?? `ep_${createHash('sha256').update(endpoint.url).digest('hex').slice(0, 12)}` })),
    ]),
  );
}
