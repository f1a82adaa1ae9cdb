import { reconciliationTaskQueue } from '../../workflows/reconciliation-types';
import { merchantEventTaskQueue } from '../../workflows/merchant-event-task-queue';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILT_IN_PROVIDERS } from '../../activities/provider-registry';
import { providerTaskQueue } from '../../workflows/provider-task-queue';
import { waitForReady } from '../chaos/support/chaos-helpers';
import { waitUntil } from '../support/wait-until';
import { ProcessStack, type ChildPart } from '../chaos/support/process-stack';
import { testTemporalAddress } from '../support/payment-stack';
import { TcpProxy } from '../support/tcp-proxy';

const probe = async (url: string) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

/**
 * The worker process and the API process, as `npm start` runs them, connected to Temporal through a relay that the
 * test cuts: their /ready follows the connection, their /health only the process. Both find Temporal through a
 * profile file (TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE), with no TEMPORAL_ADDRESS or TEMPORAL_NAMESPACE set.
 */
describe('health and readiness of the worker and the API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-health-'));
  let proxy: TcpProxy;
  let stack: ProcessStack;
  let worker: ChildPart;
  let api: ChildPart;

  beforeAll(async () => {
    const temporal = testTemporalAddress();
    proxy = await TcpProxy.start(temporal.address);
    const profileFile = join(dir, 'temporal.toml');
    writeFileSync(profileFile, `[profile.health-test]\naddress = "${proxy.address}"\nnamespace = "${temporal.namespace}"\n`);
    const viaProfile = { TEMPORAL_ADDRESS: undefined, TEMPORAL_NAMESPACE: undefined, TEMPORAL_CONFIG_FILE: profileFile, TEMPORAL_PROFILE: 'health-test' };
    stack = await ProcessStack.start({ extraWorkerEnv: viaProfile, extraApiEnv: viaProfile });
    [worker, api] = await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('connected: the worker is ready once Temporal lists it polling the payment queue, each provider queue, the reconciliation and the merchant-events queues', async () => {
    expect(await probe(`${worker.healthUrl}/health`)).toEqual({ status: 200, body: { status: 'ok' } });
    const ready = await probe(`${worker.healthUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      temporal: 'reachable',
      queues: [
        { taskQueue: stack.taskQueue, type: 'workflow', state: 'RUNNING', polling: true },
        // The workflow worker also takes activities on its queue: the merchant-event publisher's fallback.
        { taskQueue: stack.taskQueue, type: 'activity', state: 'RUNNING', polling: true },
        ...BUILT_IN_PROVIDERS.map(({ name }) => ({ taskQueue: providerTaskQueue(stack.taskQueue, name), type: 'activity', state: 'RUNNING', polling: true })),
        { taskQueue: reconciliationTaskQueue(stack.taskQueue), type: 'activity', state: 'RUNNING', polling: true },
        // The merchants' event logs and their deliveries.
        { taskQueue: merchantEventTaskQueue(stack.taskQueue), type: 'workflow', state: 'RUNNING', polling: true },
        { taskQueue: merchantEventTaskQueue(stack.taskQueue), type: 'activity', state: 'RUNNING', polling: true },
      ],
    });
    expect(await probe(`${api.healthUrl}/ready`)).toEqual({
      status: 200,
      body: { status: 'ready', temporal: 'reachable', cardVaultWorker: { state: 'RUNNING', polling: true } },
    });
    // The profile, not a variable, told both processes where Temporal is.
    expect(worker.output.join('')).toContain(`"address":"${proxy.address}"`);
    expect(worker.output.join('')).toContain('"profile":"health-test"');
  });

  test('connection to Temporal gone: neither process is ready, both are alive; back: both ready again', async () => {
    proxy.cut();
    const workerDown = await waitUntil('the worker to report not ready', async () => {
      const answer = await probe(`${worker.healthUrl}/ready`);
      return answer.status === 503 ? answer.body : undefined;
    }, 30_000);
    expect(workerDown).toMatchObject({ status: 'not_ready', temporal: 'unreachable' });
    const apiDown = await waitUntil('the API to report not ready', async () => {
      const answer = await probe(`${api.healthUrl}/ready`);
      return answer.status === 503 ? answer.body : undefined;
    }, 30_000);
    expect(apiDown).toEqual({ status: 'not_ready', temporal: 'unreachable', cardVaultWorker: { state: 'RUNNING', polling: false } });
    expect((await probe(`${worker.healthUrl}/health`)).status).toBe(200);
    expect((await probe(`${api.healthUrl}/health`)).status).toBe(200);

    proxy.restore();
    await Promise.all([waitForReady(worker.healthUrl as string, 60_000), waitForReady(api.healthUrl as string, 60_000)]);
  });
});
