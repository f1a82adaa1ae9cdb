import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { cpuProfileDir } from './cpu-profiles';
import { hashApiKey } from '../api/key-hash';
import { findPortForChild } from '../infra/free-port';
import { startTemporal } from '../infra/start-temporal';
import type { RunningTemporal, Topology } from '../infra/temporal-topology';
import { startTrustistSandbox, startTurnstaySandbox, type RunningTrustistSandbox, type RunningTurnstaySandbox } from '../sandbox';
import { createSandboxLogger } from '../sandbox/shared/logger';
import type { Role } from './proc-stats';
import { storageSize, type StorageSize } from './storage-size';

const projectRoot = resolve(__dirname, '..');

export const TURNSTAY_KEY = 'sk_test_sandbox';
export const TURNSTAY_ACCOUNT = 1001;
export const TRUSTIST_CREDENTIALS = { id: 'sandbox-merchant', key: 'sandbox-hawk-key-0123456789abcdef' };
export const MERCHANT_ID = 'bench';

export interface StackOptions {
  topology: Topology;
  /** Folder of this stack: the Temporal server's data (SQLite file or PostgreSQL), process logs. */
  dir: string;
  /** Fixed latency the sandboxes add to every provider call. */
  sandboxLatencyMs: number;
  /** Extra worker environment (tuning knobs, WORKFLOW_BUNDLE_PATH, TURNSTAY_CALLS_PER_SECOND). */
  workerEnv?: Record<string, string>;
  /** When set, the worker and the API run under `node --cpu-prof`, each into its folder under this one. */
  cpuProfileRoot?: string;
  log: (message: string) => void;
}

export interface StackSecrets {
  payloadKeyId: string;
  payloadKey: string;
  merchantKey: string;
  operatorKey: string;
  turnstayWebhookSecret: string;
  trustistWebhookPathSecret: string;
}

/** Where each sandbox posts its webhooks on an API instance. */
const turnstayWebhookUrl = (apiUrl: string) => `${apiUrl}/webhooks/turnstay`;
const trustistWebhookUrl = (apiUrl: string, secrets: StackSecrets) => `${apiUrl}/webhooks/trustist/${secrets.trustistWebhookPathSecret}`;

interface Part {
  child: ChildProcess;
  exited: Promise<void>;
  done: boolean;
}

/**
 * The whole system as `npm start` runs it, on fresh ports and fresh storage: Temporal in the chosen topology, both
 * sandboxes embedded in this process (quiet logs, fixed latency), and the worker and the API as child processes
 * (`node --import tsx`, their output appended to log files in `dir`).
 */
export class BenchStack {
  readonly secrets: StackSecrets;
  readonly apiUrl: string;
  worker: Part | undefined;
  api: Part | undefined;
  /** Instances 2, 3, ... of the worker and the API (scale-out scenario); instance 1 is `worker` and `api`. */
  private readonly moreWorkers: Part[] = [];
  private readonly moreApis: { part: Part; url: string }[] = [];
  private closed = false;
  /** Spawn to "worker running" of the first worker. */
  initialWorkerReadyMs = 0;
  /** Set when a child dies without being asked to: the scenario's figures would be wrong. */
  unexpectedExit: string | undefined;

  private constructor(
    readonly options: StackOptions,
    readonly temporal: RunningTemporal,
    readonly turnstay: RunningTurnstaySandbox,
    readonly trustist: RunningTrustistSandbox,
    apiPort: number,
    secrets: StackSecrets,
  ) {
    this.secrets = secrets;
    this.apiUrl = `http://127.0.0.1:${apiPort}`;
  }

  static async start(options: StackOptions): Promise<BenchStack> {
    mkdirSync(options.dir, { recursive: true });
    const secrets: StackSecrets = {
      payloadKeyId: 'bench-1',
      payloadKey: randomBytes(32).toString('base64'),
      merchantKey: `mk_bench_${randomBytes(16).toString('hex')}`,
      operatorKey: `ok_bench_${randomBytes(16).toString('hex')}`,
      turnstayWebhookSecret: `whsec_${randomBytes(16).toString('hex')}`,
      trustistWebhookPathSecret: randomBytes(24).toString('base64url'),
    };
    const apiPort = await findPortForChild();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const temporal = await startTemporal(options.topology, { dataDir: join(options.dir, 'temporal') });
    const logger = createSandboxLogger('sandbox', { level: 'warn' });
    const turnstay = await startTurnstaySandbox({
      webhookUrl: turnstayWebhookUrl(apiUrl),
      webhookSecret: secrets.turnstayWebhookSecret,
      latencyMs: options.sandboxLatencyMs,
      logger,
    });
    const trustist = await startTrustistSandbox({
      webhookUrl: trustistWebhookUrl(apiUrl, secrets),
      latencyMs: options.sandboxLatencyMs,
      logger,
    });
    const stack = new BenchStack(options, temporal, turnstay, trustist, apiPort, secrets);
    try {
      const [worker] = await Promise.all([stack.startWorker(), stack.startApi()]);
      stack.initialWorkerReadyMs = worker.readyMs;
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** Environment shared by the worker and the API, as scripts/start.ts builds it. */
  private sharedEnv(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: this.temporal.namespace,
      PAYLOAD_KEYS: `${this.secrets.payloadKeyId}:${this.secrets.payloadKey}`,
      PAYLOAD_ACTIVE_KEY_ID: this.secrets.payloadKeyId,
      TURNSTAY_API_URL: this.turnstay.apiUrl,
      TURNSTAY_SCS_URL: this.turnstay.scsUrl,
      TURNSTAY_API_KEY: TURNSTAY_KEY,
      TURNSTAY_ACCOUNT_ID: String(TURNSTAY_ACCOUNT),
      TRUSTIST_API_URL: this.trustist.apiUrl,
      TRUSTIST_KEY_ID: TRUSTIST_CREDENTIALS.id,
      TRUSTIST_KEY: TRUSTIST_CREDENTIALS.key,
    };
  }

  /** Starts the worker and resolves once it logged "worker running" (its workers are created, polling next). */
  async startWorker(extraEnv: Record<string, string | undefined> = {}): Promise<{ readyMs: number }> {
    const started = performance.now();
    this.worker = await this.spawnWorker('worker', extraEnv);
    return { readyMs: performance.now() - started };
  }

  private async spawnWorker(name: string, extraEnv: Record<string, string | undefined> = {}): Promise<Part> {
    const logFile = join(this.options.dir, `${name}.log`);
    const offset = existsSync(logFile) ? statSync(logFile).size : 0;
    // No reconciliation Schedule: the bench measures payments alone.
    const env: NodeJS.ProcessEnv = { ...this.sharedEnv(), RECONCILIATION_INTERVAL_MS: '0', ...this.options.workerEnv, ...extraEnv };
    // undefined removes a variable (e.g. WORKFLOW_BUNDLE_PATH, to measure a start that bundles the workflows).
    for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
    const part = this.spawnPart(name, 'worker/main.ts', env, logFile);
    await waitFor(() => logContains(logFile, offset, '"msg":"worker running"'), 120_000, `${name} to start`, () => part.done);
    return part;
  }

  /**
   * More instances of the worker (same task queues) and of the API (each on its own port, with its own card-vault
   * queue), as a deployment scales out. The sandboxes' webhooks then go to the APIs in turn, as a load balancer in
   * front of them would spread them.
   */
  async addInstances(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) {
      const number = this.moreWorkers.length + 2;
      const port = await findPortForChild();
      const [worker, api] = await Promise.all([this.spawnWorker(`worker-${number}`), this.spawnApi(`api-${number}`, `http://127.0.0.1:${port}`)]);
      this.moreWorkers.push(worker);
      this.moreApis.push({ part: api, url: `http://127.0.0.1:${port}` });
    }
    this.turnstay.setWebhookUrl(this.apiUrls().map((url) => turnstayWebhookUrl(url)));
    this.trustist.setWebhookUrl(this.apiUrls().map((url) => trustistWebhookUrl(url, this.secrets)));
  }

  /** Every API instance's base URL, the first one first. */
  apiUrls(): string[] {
    return [this.apiUrl, ...this.moreApis.map((api) => api.url)];
  }

  /** Like pids(), with each worker and API instance by name: worker-1, worker-2, api-1, api-2, ... */
  instancePids(): Record<string, number | undefined> {
    const { worker, api, ...others } = this.pids();
    const live = (part: Part | undefined) => (part && !part.done ? part.child.pid : undefined);
    return {
      ...others,
      'worker-1': worker,
      ...Object.fromEntries(this.moreWorkers.map((part, index) => [`worker-${index + 2}`, live(part)])),
      'api-1': api,
      ...Object.fromEntries(this.moreApis.map((entry, index) => [`api-${index + 2}`, live(entry.part)])),
    };
  }

  private async startApi(): Promise<void> {
    this.api = await this.spawnApi('api', this.apiUrl);
  }

  private async spawnApi(name: string, url: string): Promise<Part> {
    const part = this.spawnPart(
      name,
      'api/main.ts',
      {
        ...this.sharedEnv(),
        API_PORT: new URL(url).port,
        MERCHANT_API_KEYS: `${MERCHANT_ID}:${hashApiKey(this.secrets.merchantKey)}`,
        OPERATOR_API_KEYS: hashApiKey(this.secrets.operatorKey),
        TURNSTAY_WEBHOOK_SECRETS: this.secrets.turnstayWebhookSecret,
        TRUSTIST_WEBHOOK_PATH_SECRET: this.secrets.trustistWebhookPathSecret,
      },
      join(this.options.dir, `${name}.log`),
    );
    await waitFor(
      async () => {
        try {
          return (await fetch(`${url}/ready`)).ok;
        } catch {
          return false;
        }
      },
      120_000,
      `${name} to be ready`,
      () => part.done,
    );
    return part;
  }

  private spawnPart(name: string, entry: string, env: NodeJS.ProcessEnv, logFile: string): Part {
    const fd = openSync(logFile, 'a');
    // The child writes its log straight to the file: no pipe through this process, so no CPU of ours.
    const profile = this.options.cpuProfileRoot ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir(this.options.cpuProfileRoot, basename(this.options.dir), name)}`] : [];
    const child = spawn(process.execPath, [...profile, '--import', 'tsx', join(projectRoot, entry)], {
      cwd: projectRoot,
      env,
      stdio: ['ignore', fd, fd],
      detached: true,
    });
    closeSync(fd);
    const part: Part = { child, done: false, exited: Promise.resolve() };
    part.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        part.done = true;
        if (!this.closed && !(part as Part & { expected?: boolean }).expected) {
          this.unexpectedExit ??= `${name} exited unexpectedly (code ${code}, signal ${signal}); see ${logFile}`;
          this.options.log(this.unexpectedExit);
        }
        done();
      });
    });
    return part;
  }

  /** SIGKILL: no graceful shutdown, as a crashed host. */
  async killWorker(): Promise<void> {
    const part = this.worker;
    if (!part || part.done) return;
    (part as Part & { expected?: boolean }).expected = true;
    part.child.kill('SIGKILL');
    await part.exited;
  }

  /** SIGTERM (graceful), then a fresh worker with other settings. */
  async restartWorker(extraEnv: Record<string, string | undefined> = {}): Promise<{ readyMs: number }> {
    if (this.worker) await stopPart(this.worker);
    return this.startWorker(extraEnv);
  }

  pids(): Partial<Record<Role, number>> {
    const pids: Partial<Record<Role, number>> = {
      worker: this.worker && !this.worker.done ? this.worker.child.pid : undefined,
      api: this.api && !this.api.done ? this.api.child.pid : undefined,
      bench: process.pid,
    };
    for (const { role, pid } of this.temporal.processes()) if (pid > 0) pids[role] = pid;
    return pids;
  }

  storageSize(): StorageSize {
    return storageSize(this.temporal.store);
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.worker, this.api, ...this.moreWorkers, ...this.moreApis.map((api) => api.part)].map((part) => (part ? stopPart(part) : undefined)));
    await Promise.all([this.turnstay.close(), this.trustist.close()]);
    await this.temporal.stop();
  }
}

async function stopPart(part: Part): Promise<void> {
  if (part.done || part.child.pid === undefined) return;
  (part as Part & { expected?: boolean }).expected = true;
  const pid = part.child.pid;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // Already gone.
    }
  };
  const force = setTimeout(() => signalGroup('SIGKILL'), 15_000);
  signalGroup('SIGTERM');
  await part.exited;
  clearTimeout(force);
}

function logContains(file: string, offset: number, marker: string): boolean {
  if (!existsSync(file)) return false;
  return readFileSync(file).subarray(offset).includes(marker);
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string, gaveUp?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    if (gaveUp?.()) throw new Error(`gave up waiting for ${what}: the process exited`);
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
