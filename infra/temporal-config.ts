import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { TLSConfig } from '@temporalio/client';
import { parsePayloadKeys, type PayloadKey } from '../worker/payload-codec';
import { booleanFlag } from './env-config';

/** Where Temporal is: the embedded dev server, a self-hosted cluster (mTLS) or Temporal Cloud (API key). */
export const temporalEnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('payments'),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: booleanFlag.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CA_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  PAYLOAD_KEYS: z
    .string()
    .min(1, 'required: "<id>:<base64 of 32 bytes>,..." (npm start generates a dev key)')
    .refine((value) => {
      try {
        return parsePayloadKeys(value).every(({ key }) => key.length === 32);
      } catch {
        return false;
      }
    }, 'each key must be "<id>:<base64 of 32 bytes>"'),
  PAYLOAD_ACTIVE_KEY_ID: z.string().min(1),
}).refine((env) => !env.TEMPORAL_TLS_CERT_PATH === !env.TEMPORAL_TLS_KEY_PATH, {
  message: 'TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH go together',
  path: ['TEMPORAL_TLS_KEY_PATH'],
}).refine((env) => !env.PAYLOAD_KEYS || parsePayloadKeysSafe(env.PAYLOAD_KEYS).some(({ id }) => id === env.PAYLOAD_ACTIVE_KEY_ID), {
  message: 'must name one of the keys in PAYLOAD_KEYS',
  path: ['PAYLOAD_ACTIVE_KEY_ID'],
});

export type TemporalEnv = z.infer<typeof temporalEnvSchema>;

function parsePayloadKeysSafe(value: string): PayloadKey[] {
  try {
    return parsePayloadKeys(value);
  } catch {
    return [];
  }
}

/** Options both the client Connection and the worker NativeConnection accept. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls?: TLSConfig;
}

export function connectionOptions(env: TemporalEnv): TemporalConnectionOptions {
  const mutualTls = env.TEMPORAL_TLS_CERT_PATH && env.TEMPORAL_TLS_KEY_PATH
    ? { crt: readFileSync(env.TEMPORAL_TLS_CERT_PATH), key: readFileSync(env.TEMPORAL_TLS_KEY_PATH) }
    : undefined;
  const tlsWanted = env.TEMPORAL_TLS ?? Boolean(mutualTls || env.TEMPORAL_API_KEY);
  return {
    address: env.TEMPORAL_ADDRESS,
    ...(env.TEMPORAL_API_KEY ? { apiKey: env.TEMPORAL_API_KEY } : {}),
    ...(tlsWanted
      ? {
          tls: {
            ...(mutualTls ? { clientCertPair: mutualTls } : {}),
            ...(env.TEMPORAL_TLS_CA_PATH ? { serverRootCACertificate: readFileSync(env.TEMPORAL_TLS_CA_PATH) } : {}),
            ...(env.TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME } : {}),
          },
        }
      : {}),
  };
}

export function payloadEncryption(env: TemporalEnv) {
  return { keys: parsePayloadKeys(env.PAYLOAD_KEYS), activeKeyId: env.PAYLOAD_ACTIVE_KEY_ID };
}
