import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { hashApiKey } from '../../../api/key-hash';
import { findPortForChild } from '../../../infra/free-port';
import { startTrustistSandbox, startTurnstaySandbox, type RunningTrustistSandbox, type RunningTurnstaySandbox } from '../../../sandbox';
import { createDataConverter } from '../../../infra/data-converter';
import { waitForReady } from './chaos-helpers';
import { MERCHANT_KEY, OPERATOR_KEY, OTHER_MERCHANT_KEY, TRUSTIST_WEBHOOK_PATH_SECRET } from '../../support/api-stack';
import { SANDBOX_TRUSTIST_CREDENTIALS, SANDBOX_TURNSTAY_ACCOUNT, SANDBOX_TURNSTAY_KEY, testPayloadEncryption, TURNSTAY_WEBHOOK_SECRET } from '../../support/payment-stack';

const projectRoot = resolve(__dirname, '../../..');

/** One worker or API process, started as `npm start` starts it (`node --import tsx <entry>`), with its output kept. */
export interface ChildPart {
  name: string;
  process: ChildProcess;
  /** Everything the process wrote to stdout and stderr, chunk by chunk. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Where its /health and /ready answer (a worker's health port, an API's own port). */
  healthUrl?: string;
}

export interface ProcessStackOptions {
  /** The Temporal server the processes use (default: the run's shared dev server). */
  temporal?: { address: string; namespace: string };
  /** Provider HTTP timeout of both processes (PROVIDER_TIMEOUT_MS). */
  providerTimeoutMs?: number;
  challengeTimeoutMs?: number;
  statusPollDelaysMs?: number[];
  /** How long a lost Trustist answer waits for a webhook naming the payment (LOST_ANSWER_GRACE_MS, default 10 s). */
  lostAnswerGraceMs?: number;
  /** How long a payment whose card was lost waits for a repeated request's card (CARD_HANDOVER_WINDOW_MS, default 15 s). */
  cardHandoverWindowMs?: number;
  sandboxLatencyMs?: number;
  webhookRetry?: { baseDelayMs: number; maxAttempts: number };
  extraWorkerEnv?: NodeJS.ProcessEnv;
  extraApiEnv?: NodeJS.ProcessEnv;
}

/**
 * The production topology in miniature: the payment worker and the API (with its card-vault worker) as separate
 * OS processes that a test can SIGKILL and restart, in front of embedded sandboxes (their ledgers and fault
 * switches stay reachable while the processes die). The API keeps one port across restarts so webhooks and
 * clients find it again.
 */
export class ProcessStack {
  readonly taskQueue = `chaos-${randomUUID()}`;
  readonly workers: ChildPart[] = [];
  api?: ChildPart;
  /** More API instances beside the first, each on its own port (as replicas behind a load balancer). */
  readonly apiReplicas: { part: ChildPart; url: string }[] = [];
  /** Output of every process this stack ever started, including killed ones. */
  readonly allParts: ChildPart[] = [];

  private constructor(
    readonly temporal: { address: string; namespace: string },
    readonly turnstay: RunningTurnstaySandbox,
    readonly trustist: RunningTrustistSandbox,
    readonly apiPort: number,
    readonly client: Client,
    private readonly connection: Connection,
    private readonly options: ProcessStackOptions,
  ) {}

  static async start(options: ProcessStackOptions = {}): Promise<ProcessStack> {
    const temporal = options.temporal ?? {
      address: required('TEST_TEMPORAL_ADDRESS'),
      namespace: process.env.TEST_TEMPORAL_NAMESPACE ?? 'default',
    };
    const apiPort = await findPortForChild();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const webhookRetry = options.webhookRetry ?? { baseDelayMs: 250, maxAttempts: 8 };
    const turnstay = await startTurnstaySandbox({
      latencyMs: options.sandboxLatencyMs,
      webhookSecret: TURNSTAY_WEBHOOK_SECRET,
      webhookUrl: `${apiUrl}/webhooks/turnstay`,
      webhookRetry,
    });
    const trustist = await startTrustistSandbox({
      latencyMs: options.sandboxLatencyMs,
      webhookUrl: `${apiUrl}/webhooks/trustist/${TRUSTIST_WEBHOOK_PATH_SECRET}`,
      webhookRetry,
    });
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, namespace: temporal.namespace, dataConverter: createDataConverter(testPayloadEncryption()) });
    return new ProcessStack(temporal, turnstay, trustist, apiPort, client, connection, options);
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  private sharedEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'info',
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: this.temporal.namespace,
      TEMPORAL_TASK_QUEUE: this.taskQueue,
      PAYLOAD_KEYS: required('TEST_PAYLOAD_KEYS'),
      PAYLOAD_ACTIVE_KEY_ID: required('TEST_PAYLOAD_ACTIVE_KEY_ID'),
      TURNSTAY_API_URL: this.turnstay.apiUrl,
      TURNSTAY_SCS_URL: this.turnstay.scsUrl,
      TURNSTAY_API_KEY: SANDBOX_TURNSTAY_KEY,
      TURNSTAY_ACCOUNT_ID: String(SANDBOX_TURNSTAY_ACCOUNT),
      TRUSTIST_API_URL: this.trustist.apiUrl,
      TRUSTIST_KEY_ID: SANDBOX_TRUSTIST_CREDENTIALS.id,
      TRUSTIST_KEY: SANDBOX_TRUSTIST_CREDENTIALS.key,
      PROVIDER_TIMEOUT_MS: String(this.options.providerTimeoutMs ?? 5_000),
    };
  }

  /** Starts one more payment worker on the stack's task queue and resolves once it is ready (polls every queue). */
  async startWorker(): Promise<ChildPart> {
    const healthPort = await findPortForChild();
    const part = spawnPart(`worker-${this.workers.length + 1}`, 'worker/main.ts', {
      ...this.sharedEnv(),
      WORKFLOW_BUNDLE_PATH: required('TEST_WORKFLOW_BUNDLE'),
      // No reconciliation runs: its signals would add to the histories these tests measure.
      RECONCILIATION_INTERVAL_MS: '0',
      WORKER_HEALTH_PORT: String(healthPort),
      ...this.options.extraWorkerEnv,
    });
    part.healthUrl = `http://127.0.0.1:${healthPort}`;
    this.workers.push(part);
    this.allParts.push(part);
    await waitUntilReady(part, 60_000);
    return part;
  }

  /** Starts the API (and its card-vault worker) on the stack's fixed port; resolves once /ready answers. */
  async startApi(): Promise<ChildPart> {
    const part = await this.spawnApi('api', this.apiPort);
    this.api = part;
    return part;
  }

  /** Starts one more API instance (with a card-vault worker of its own) on a port of its own. */
  async startApiReplica(): Promise<{ part: ChildPart; url: string }> {
    const port = await findPortForChild();
    const replica = { part: await this.spawnApi(`api-${this.apiReplicas.length + 2}`, port), url: `http://127.0.0.1:${port}` };
    this.apiReplicas.push(replica);
    return replica;
  }

  private async spawnApi(name: string, port: number): Promise<ChildPart> {
    const part = spawnPart(name, 'api/main.ts', {
      ...this.sharedEnv(),
      API_PORT: String(port),
      MERCHANT_API_KEYS: `merchant1:${hashApiKey(MERCHANT_KEY)},merchant2:${hashApiKey(OTHER_MERCHANT_KEY)}`,
      OPERATOR_API_KEYS: hashApiKey(OPERATOR_KEY),
      OPERATOR_SESSION_SECRET: 'chaos-operator-session-secret-0123456789',
      TURNSTAY_WEBHOOK_SECRETS: TURNSTAY_WEBHOOK_SECRET,
      TRUSTIST_WEBHOOK_PATH_SECRET,
      CHALLENGE_TIMEOUT_MS: String(this.options.challengeTimeoutMs ?? 120_000),
      STATUS_POLL_DELAYS_MS: (this.options.statusPollDelaysMs ?? [30_000]).join(','),
      LOST_ANSWER_GRACE_MS: String(this.options.lostAnswerGraceMs ?? 10_000),
      CARD_HANDOVER_WINDOW_MS: String(this.options.cardHandoverWindowMs ?? 15_000),
      ...this.options.extraApiEnv,
    });
    part.healthUrl = `http://127.0.0.1:${port}`;
    this.allParts.push(part);
    await waitUntilReady(part, 60_000);
    return part;
  }

  /** SIGKILL: no shutdown hook runs, in-flight calls and held cards die with the process. */
  async kill(part: ChildPart): Promise<void> {
    if (part.process.exitCode === null && part.process.signalCode === null) part.process.kill('SIGKILL');
    await part.exited;
  }

  /** SIGTERM, as an orchestrator stops a process: its shutdown hook runs; resolves when it has exited. */
  async terminate(part: ChildPart): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (part.process.exitCode === null && part.process.signalCode === null) part.process.kill('SIGTERM');
    return part.exited;
  }

  /** Every line any of the stack's processes wrote (for secret and card-data searches). */
  logs(): string {
    return this.allParts.map((part) => part.output.join('')).join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.allParts.map((part) => stopPart(part)));
    await this.connection.close().catch(() => undefined);
    await Promise.all([this.turnstay.close(), this.trustist.close()]);
  }
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the jest global setup did not run`);
  return value;
}

function spawnPart(name: string, entry: string, env: NodeJS.ProcessEnv): ChildPart {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry)], { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  return { name, process: child, output, exited };
}

/** Resolves once the process's /ready answers 200; fails with its output if it exits or does not get ready. */
async function waitUntilReady(part: ChildPart, timeoutMs: number): Promise<void> {
  let exited = false;
  void part.exited.then(() => {
    exited = true;
  });
  try {
    await waitForReady(part.healthUrl as string, timeoutMs, () => !exited);
  } catch (error) {
    throw new Error(`${part.name} did not get ready (${(error as Error).message}):\n${part.output.join('').slice(-3_000)}`, { cause: error });
  }
}

async function stopPart(part: ChildPart): Promise<void> {
  const { process: child } = part;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
  child.kill('SIGTERM');
  await part.exited;
  clearTimeout(force);
}
