import { existsSync } from 'node:fs';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';
import { z } from 'zod';

/** Options both the client Connection and the worker NativeConnection accept. */
export interface TemporalConnectionOptions {
  address: string;
  apiKey?: string;
  tls?: TLSConfig | boolean;
  metadata?: Record<string, string>;
}

/** Where Temporal is, resolved as the `temporal` CLI resolves it. */
export interface TemporalConnection {
  connectionOptions: TemporalConnectionOptions;
  namespace: string;
  /** The profile used, for the start log line (no secrets). */
  profile: string;
}

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';

/**
 * Each setting with the variable that overrides it and its key in a profile, so a problem names where the bad value
 * came from.
 */
const SETTINGS = {
  address: { variables: ['TEMPORAL_ADDRESS'], key: 'address' },
  namespace: { variables: ['TEMPORAL_NAMESPACE'], key: 'namespace' },
  apiKey: { variables: ['TEMPORAL_API_KEY'], key: 'api_key' },
  clientCert: { variables: ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'TEMPORAL_TLS_CLIENT_CERT_DATA'], key: 'tls.client_cert_path' },
  clientKey: { variables: ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_CLIENT_KEY_DATA'], key: 'tls.client_key_path' },
  serverCACert: { variables: ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_DATA'], key: 'tls.server_ca_cert_path' },
} as const;

const resolvedProfileSchema = z.object({
  address: z.string().regex(/^[^\s:]+:\d+$/, 'must be host:port'),
  namespace: z.string().min(1, 'must not be empty'),
  apiKey: z.string().min(1, 'must not be empty').optional(),
});

/**
 * The connection from the profile file and the standard variables, as the `temporal` CLI reads them
 * (@temporalio/envconfig): the file in TEMPORAL_CONFIG_FILE (else ~/.config/temporalio/temporal.toml, if any), the
 * profile in TEMPORAL_PROFILE (else "default"), then TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS* and TEMPORAL_GRPC_META_* over it. Returns every problem found, each naming its variable or file key.
 */
export function resolveTemporalConnection(env: NodeJS.ProcessEnv): { connection?: TemporalConnection; problems: string[] } {
  const profileName = env.TEMPORAL_PROFILE ?? 'default';
  const file = env.TEMPORAL_CONFIG_FILE
    ? `TEMPORAL_CONFIG_FILE (${env.TEMPORAL_CONFIG_FILE})`
    : 'the temporal CLI config file ($XDG_CONFIG_HOME or ~/.config, then temporalio/temporal.toml)';
  if (env.TEMPORAL_CONFIG_FILE !== undefined && !existsSync(env.TEMPORAL_CONFIG_FILE)) {
    // The library skips a missing file silently; a file named on purpose must be there.
    return { problems: [`${file}: no such file`] };
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ configFileStrict: true, overrideEnvVars: env as Record<string, string> });
  } catch (error) {
    return { problems: [describeLoadError(error, file, profileName)] };
  }
  const fromVariables = (setting: keyof typeof SETTINGS) => SETTINGS[setting].variables.some((name) => env[name] !== undefined);
  /** The variable or profile key a setting came from; for a missing one, where its counterpart came from. */
  const where = (setting: keyof typeof SETTINGS, counterpart?: keyof typeof SETTINGS) => {
    const variables = SETTINGS[setting].variables;
    const variable = variables.find((name) => env[name] !== undefined) ?? (counterpart && fromVariables(counterpart) ? variables[0] : undefined);
    return variable ?? `${SETTINGS[setting].key} of profile "${profileName}" in ${file}`;
  };
  const problems: string[] = [];
  const settings = resolvedProfileSchema.safeParse({
    address: profile.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: profile.namespace ?? 'default',
    apiKey: profile.apiKey,
  });
  if (!settings.success) {
    for (const issue of settings.error.issues) problems.push(`${where(issue.path[0] as keyof typeof SETTINGS)}: ${issue.message}`);
  }
  const tls = profile.tls;
  if (tls && !tls.clientCert !== !tls.clientKey) {
    const [missing, present] = tls.clientCert ? (['clientKey', 'clientCert'] as const) : (['clientCert', 'clientKey'] as const);
    problems.push(`${where(missing, present)}: a client certificate and its key go together`);
  }
  for (const setting of ['clientCert', 'clientKey', 'serverCACert'] as const) {
    const source: ConfigDataSource | undefined = tls?.[setting];
    if (source && 'path' in source && !existsSync(source.path)) problems.push(`${where(setting)}: no such file (${source.path})`);
  }
  if (problems.length > 0 || !settings.success) return { problems };
  let options: ReturnType<typeof toClientOptions>;
  try {
    options = toClientOptions(profile);
  } catch (error) {
    return { problems: [`${file}, profile "${profileName}": ${error instanceof Error ? error.message : String(error)}`] };
  }
  const { apiKey, tls: tlsOptions, metadata } = options.connectionOptions;
  return {
    problems: [],
    connection: {
      connectionOptions: {
        address: settings.data.address,
        ...(apiKey !== undefined ? { apiKey: apiKey as string } : {}),
        ...(tlsOptions !== undefined && tlsOptions !== null ? { tls: tlsOptions } : {}),
        ...(metadata ? { metadata: metadata as Record<string, string> } : {}),
      },
      namespace: settings.data.namespace,
      profile: profileName,
    },
  };
}

/** The library's errors, reworded to name the file or variable; never the file's text (it may hold an API key). */
function describeLoadError(error: unknown, file: string, profileName: string): string {
  const { line, column } = error as { line?: unknown; column?: unknown };
  if (error instanceof Error && typeof line === 'number' && typeof column === 'number') {
    // The parser's message quotes the offending line: keep only its reason.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    return `${file}: not valid TOML at line ${line}, column ${column} (${reason})`;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/^Profile '.*' not found/.test(message)) return `TEMPORAL_PROFILE: no profile "${profileName}" in ${file}`;
  if (message.startsWith('Validation error: ')) return `${file}: ${message.slice('Validation error: '.length)}`;
  // A file without any [profile.<name>] table makes the library read a property of undefined.
  if (error instanceof TypeError) return `${file}: has no [profile.<name>] table`;
  return `${file}: ${message}`;
}
