/** What `npm start` gives a provider's sandbox, and what the sandbox gives back: how the local system reaches it. */
export interface LocalSandboxContext {
  /** The merchant API's base URL: webhooks go to `${apiUrl}/webhooks/<provider>…`. */
  apiUrl: string;
  /** This provider's webhook secret, kept in the data folder's dev-secrets.json across starts. */
  webhookSecret: string;
  latencyMs: number;
  /** The supervisor's environment (each sandbox reads its own port variables) and how a port 0 becomes a free port. */
  env: NodeJS.ProcessEnv;
  portOrFree(value: number): Promise<number>;
}

export interface RunningLocalSandbox {
  /** Variables the worker and the API read to call this provider (the provider module's env). */
  providerEnv: Record<string, string>;
  /** Variables only the API reads (webhook secrets, currencies). */
  apiEnv: Record<string, string>;
  /** Its line in the "Everything is running" table. */
  summary: string;
  close(): Promise<void>;
}

/** A provider's sandbox as `npm start` runs it; sandbox/local-sandboxes.ts lists them. */
export interface LocalSandbox {
  provider: string;
  /** The dev-secrets.json entry holding its webhook secret, and how to make one. */
  webhookSecret: { key: string; create(): string };
  start(context: LocalSandboxContext): Promise<RunningLocalSandbox>;
}
