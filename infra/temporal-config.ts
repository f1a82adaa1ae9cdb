import { z } from 'zod';
import { parsePayloadKeys, type PayloadKey } from './payload-codec';
import { booleanFlag, parseEnv } from './env-config';
import { resolveTemporalConnection, type TemporalConnection } from './temporal-profile';

export type { TemporalConnection, TemporalConnectionOptions } from './temporal-profile';

/** A variable from before the `temporal` CLI's names were adopted: named with its successor instead of ignored. */
const renamed = (successor: string) => z.undefined({ error: `renamed ${successor} (the temporal CLI's name)` }).optional();

/**
 * Our own Temporal settings: the task queue and the payload keys. Where Temporal is (address, namespace, TLS, API
 * key) comes from a profile and the `temporal` CLI's variables (temporal-profile.ts); the variables that
 * @temporalio/envconfig reads loosely are checked here too.
 */
export const temporalEnvSchema = z.object({
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('payments'),
  TEMPORAL_TLS: booleanFlag.optional(),
  TEMPORAL_TLS_DISABLE_HOST_VERIFICATION: z.undefined({ error: 'not supported by the TypeScript SDK' }).optional(),
  TEMPORAL_TLS_CERT_PATH: renamed('TEMPORAL_TLS_CLIENT_CERT_PATH'),
  TEMPORAL_TLS_KEY_PATH: renamed('TEMPORAL_TLS_CLIENT_KEY_PATH'),
  TEMPORAL_TLS_CA_PATH: renamed('TEMPORAL_TLS_SERVER_CA_CERT_PATH'),
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

/**
 * A worker's or the API's whole configuration: its zod schema and the Temporal connection, with every problem of
 * both named at once.
 */
export function parseTemporalEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): { env: z.infer<T>; temporal: TemporalConnection } {
  const { connection, problems } = resolveTemporalConnection(env);
  const parsed = parseEnv(schema, env, problems);
  return { env: parsed, temporal: connection as TemporalConnection };
}

export function payloadEncryption(env: TemporalEnv) {
  return { keys: parsePayloadKeys(env.PAYLOAD_KEYS), activeKeyId: env.PAYLOAD_ACTIVE_KEY_ID };
}
