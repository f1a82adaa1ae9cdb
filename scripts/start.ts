/**
 * `npm start`: the whole system on one machine. Temporal (the dev server, or with `--topology=cluster` the server on
 * PostgreSQL, as `npm run start:cluster` does) with its Web UI, both provider sandboxes (embedded here), then the
 * worker and the API as child processes. Ctrl-C stops all of it, children first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clientConfigToToml } from '@temporalio/envconfig';
import { z } from 'zod';
import { hashApiKey } from '../api/key-hash';
import { parseEnv, port } from '../infra/env-config';
import { findPortForChild } from '../infra/free-port';
import { startTemporal } from '../infra/start-temporal';
import { parseTopology, type RunningTemporal } from '../infra/temporal-topology';
import { LOCAL_SANDBOXES } from '../sandbox/local-sandboxes';
import type { RunningLocalSandbox } from '../sandbox/local-sandbox';
import { startSampleEventReceiver } from './sample-event-receiver';

const projectRoot = resolve(__dirname, '..');

const topologyFlag = process.argv.find((arg) => arg.startsWith('--topology='))?.slice('--topology='.length);
const topology = parseTopology(topologyFlag ?? process.env.TOPOLOGY);

const startEnvSchema = z.object({
  DATA_DIR: z.string().min(1).default(join(projectRoot, '.data', topology)),
  /** 0 for any free port (tests run npm start beside a developer's own). */
  API_PORT: port.default(3000),
  TEMPORAL_PORT: port.default(7233),
  TEMPORAL_UI_PORT: port.default(8233),
  WORKER_HEALTH_PORT: port.default(3001),
  // Each provider's sandbox reads its own port variables (TURNSTAY_PORT, TURNSTAY_SCS_PORT, TRUSTIST_PORT: sandbox/*/local.ts).
  /** The worker's metrics page (the API serves its own on /metrics). */
  WORKER_METRICS_PORT: port.default(9464),
  SANDBOX_LATENCY_MS: z.coerce.number().int().nonnegative().default(0),
  /** The sample receiver of the demo merchant's events. */
  EVENT_RECEIVER_PORT: port.default(4030),
});

interface DevSecrets {
  payloadKey: string;
  merchantKey: string;
  operatorKey: string;
  operatorSessionSecret: string;
  /** Each provider sandbox's webhook secret, under its own key (e.g. turnstayWebhookSecret). */
  [webhookSecretKey: string]: string;
}

/** Secrets for the local system, made once per data folder (never used outside development). */
function loadOrCreateDevSecrets(dataDir: string): DevSecrets {
  const file = join(dataDir, 'dev-secrets.json');
  const saved = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>) : undefined;
  // A data folder from before a secret existed gets the new one added; the others stay as they were.
  const webhookSecrets = LOCAL_SANDBOXES.map((sandbox) => sandbox.webhookSecret);
  if (saved?.operatorSessionSecret && webhookSecrets.every(({ key }) => saved[key])) return saved as DevSecrets;
  const secrets: DevSecrets = {
    payloadKey: randomBytes(32).toString('base64'),
    merchantKey: `mk_dev_${randomBytes(16).toString('hex')}`,
    operatorKey: `ok_dev_${randomBytes(16).toString('hex')}`,
    operatorSessionSecret: randomBytes(32).toString('base64url'),
    ...Object.fromEntries(webhookSecrets.map(({ key, create }) => [key, create()])),
    ...saved,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** The `temporal` CLI's connection variables (ours, such as TEMPORAL_TASK_QUEUE, pass through). */
const STANDARD_TEMPORAL_VARIABLE = /^TEMPORAL_(ADDRESS|NAMESPACE|API_KEY|TLS|PROFILE|CONFIG_FILE|GRPC_META_|CODEC_)/;

const portOrFree = async (value: number) => (value === 0 ? findPortForChild() : value);

function say(message: string): void {
  process.stdout.write(`[start] ${message}\n`);
}

let shutdown: (exitCode: number) => Promise<void> = async (exitCode) => process.exit(exitCode);

async function main(): Promise<void> {
  const env = parseEnv(startEnvSchema);
  mkdirSync(env.DATA_DIR, { recursive: true });
  const secrets = loadOrCreateDevSecrets(env.DATA_DIR);
  const apiPort = await portOrFree(env.API_PORT);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const children: ChildProcess[] = [];
  const temporal: { server?: RunningTemporal } = {};
  const closers: (() => Promise<void>)[] = [];
  let stopping = false;

  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await Promise.all(children.map((child) => stopChild(child)));
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await temporal.server?.stop();
    say('stopped');
    process.exit(exitCode);
  };
  shutdown = stopAll;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stopAll(0));

  say(
    topology === 'dev'
      ? `starting the Temporal dev server (SQLite in ${env.DATA_DIR})...`
      : `starting the Temporal cluster: PostgreSQL, the Temporal server (4 history shards, SQL visibility) and its Web UI (data in ${env.DATA_DIR})...`,
  );
  const server = await startTemporal(topology, {
    dataDir: env.DATA_DIR,
    port: await portOrFree(env.TEMPORAL_PORT),
    uiPort: await portOrFree(env.TEMPORAL_UI_PORT),
    uiCodecEndpoint: `${apiUrl}/codec`,
  });
  temporal.server = server;

  say('starting the provider sandboxes...');
  const sandboxes: RunningLocalSandbox[] = [];
  for (const sandbox of LOCAL_SANDBOXES) {
    const running = await sandbox.start({
      apiUrl,
      webhookSecret: secrets[sandbox.webhookSecret.key] as string,
      latencyMs: env.SANDBOX_LATENCY_MS,
      env: process.env,
      portOrFree,
    });
    closers.push(() => running.close());
    sandboxes.push(running);
  }

  // A fresh signing secret each start: events are signed when delivered, so older ones verify with it too.
  const eventSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const eventReceiver = await startSampleEventReceiver({
    port: await portOrFree(env.EVENT_RECEIVER_PORT),
    secret: eventSecret,
    print: (line) => process.stdout.write(`[events] ${line}\n`),
  });
  closers.push(() => eventReceiver.close());

  // The parts find the embedded server through a profile file of its own (also usable by the temporal CLI), and
  // none of the shell's own connection variables: a developer's Cloud or TLS settings must not redirect them.
  const profileFile = join(env.DATA_DIR, 'temporal.toml');
  writeFileSync(profileFile, clientConfigToToml({ profiles: { default: { address: server.address, namespace: server.namespace } } }));
  const inheritedEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !STANDARD_TEMPORAL_VARIABLE.test(name)));
  const workerHealthUrl = `http://127.0.0.1:${await portOrFree(env.WORKER_HEALTH_PORT)}`;
  const sharedEnv: NodeJS.ProcessEnv = {
    ...inheritedEnv,
    TEMPORAL_CONFIG_FILE: profileFile,
    TEMPORAL_PROFILE: 'default',
    PAYLOAD_KEYS: `dev-1:${secrets.payloadKey}`,
    PAYLOAD_ACTIVE_KEY_ID: 'dev-1',
    ...Object.assign({}, ...sandboxes.map((sandbox) => sandbox.providerEnv)),
  };
  say('starting the worker and the API...');
  const workerMetricsPort = await portOrFree(env.WORKER_METRICS_PORT);
  children.push(
    spawnPart('worker', 'worker/main.ts', {
      ...sharedEnv,
      WORKER_HEALTH_PORT: new URL(workerHealthUrl).port,
      WORKER_METRICS_PORT: String(workerMetricsPort),
      MERCHANT_EVENT_ENDPOINTS: JSON.stringify({ demo: [{ id: 'sample_receiver', url: eventReceiver.url, secret: eventSecret }] }),
    }, () => void stopAll(1)),
  );
  children.push(
    spawnPart('api', 'api/main.ts', {
      ...sharedEnv,
      API_PORT: String(apiPort),
      MERCHANT_API_KEYS: `demo:${hashApiKey(secrets.merchantKey)}`,
      OPERATOR_API_KEYS: hashApiKey(secrets.operatorKey),
      OPERATOR_SESSION_SECRET: secrets.operatorSessionSecret,
      ...Object.assign({}, ...sandboxes.map((sandbox) => sandbox.apiEnv)),
      CODEC_ALLOWED_ORIGINS: `${server.uiUrl},${server.uiUrl.replace('127.0.0.1', 'localhost')}`,
      TEMPORAL_UI_URL: server.uiUrl,
      DEMO_MERCHANT_KEY: secrets.merchantKey,
    }, () => void stopAll(1)),
  );
  // Ready: connected to Temporal and polling every queue (the API's card-vault queue included).
  await Promise.all([waitForHttp(`${apiUrl}/ready`, 90_000), waitForHttp(`${workerHealthUrl}/ready`, 90_000)]);

  process.stdout.write(
    [
      '',
      'Everything is running:',
      `  API               ${apiUrl}            (health: ${apiUrl}/health, ready: ${apiUrl}/ready, OpenAPI: ${apiUrl}/openapi.json)`,
      `  Worker health     ${workerHealthUrl}/health   (ready: ${workerHealthUrl}/ready)`,
      `  Demo checkout     ${apiUrl}/demo`,
      `  Operator page     ${apiUrl}/ops            (sign in at ${apiUrl}/ops/login with the operator key)`,
      `  Metrics           ${apiUrl}/metrics (API), http://127.0.0.1:${workerMetricsPort}/metrics (worker)`,
      `  Temporal Web UI   ${server.uiUrl}`,
      `  Temporal gRPC     ${server.address}   (${topology === 'dev' ? 'dev server, SQLite' : 'cluster, PostgreSQL'}, namespace ${server.namespace})`,
      `  Temporal profile  ${profileFile}   (temporal CLI: TEMPORAL_CONFIG_FILE=${profileFile} temporal workflow list)`,
      ...(server.store.kind === 'postgres' ? [`  PostgreSQL        127.0.0.1:${server.store.port}   (user ${server.store.user}, databases ${server.store.databases.join(', ')})`] : []),
      ...sandboxes.map((sandbox) => `  ${sandbox.summary}`),
      `  Event receiver    ${eventReceiver.url}   (the demo merchant's events, verified and printed as [events] lines)`,
      '',
      `  Merchant API key  ${secrets.merchantKey}   (merchant "demo")`,
      `  Operator key      ${secrets.operatorKey}   (sign in at ${apiUrl}/ops/login to decode payloads in the Web UI)`,
      '',
      'Press Ctrl-C to stop everything.',
      '',
    ].join('\n'),
  );
}

function spawnPart(name: string, entry: string, env: NodeJS.ProcessEnv, onUnexpectedExit: () => void): ChildProcess {
  // `node --import tsx` runs TypeScript in this one process (no wrapper process left to orphan). Detached: its
  // own process group, so Ctrl-C reaches the supervisor, which stops the parts in order.
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, entry)], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  child.once('exit', (code, signal) => {
    (child as ChildProcess & { exited?: boolean }).exited = true;
    if (code !== 0 && signal === null) {
      process.stderr.write(`[start] ${name} exited with code ${code}\n`);
      onUnexpectedExit();
    }
  });
  return child;
}

function stopChild(child: ChildProcess): Promise<void> {
  if ((child as ChildProcess & { exited?: boolean }).exited || child.pid === undefined) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => killGroup(child.pid as number, 'SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    killGroup(child.pid as number, 'SIGTERM');
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[start] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  void shutdown(1);
});
