import { randomUUID } from 'node:crypto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { createProviderRegistry } from '../../activities/provider-registry';
import { createDataConverter } from '../../infra/data-converter';
import { createPaymentWorkers } from '../../worker/payment-worker';
import { checkWorkerReadiness } from '../../worker/worker-readiness';
import { waitUntil } from '../support/wait-until';
import { testPayloadEncryption, testTemporalAddress } from '../support/payment-stack';

/** "Polling every queue": one queue that is not polled makes the whole worker process not ready. */
describe('worker readiness, queue by queue', () => {
  let connection: NativeConnection;
  let workers: Worker[];
  const runs: Promise<void>[] = [];

  beforeAll(async () => {
    const { address, namespace } = testTemporalAddress();
    connection = await NativeConnection.connect({ address });
    // No provider is called here: the addresses only need to parse.
    const providers = createProviderRegistry({
      turnstay: { apiUrl: 'http://127.0.0.1:9', scsUrl: 'http://127.0.0.1:9', apiKey: 'sk_test_unused', accountId: 1, timeoutMs: 1_000 },
      trustist: { apiUrl: 'http://127.0.0.1:9', keyId: 'unused', key: 'unused-unused-unused', timeoutMs: 1_000 },
    });
    workers = await createPaymentWorkers({
      connection,
      namespace,
      taskQueue: `readiness-${randomUUID()}`,
      providers,
      dataConverter: createDataConverter(testPayloadEncryption()),
      workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    });
  });

  afterAll(async () => {
    for (const worker of workers ?? []) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.all(runs);
    await connection?.close();
  });

  test('created but not running: not ready, Temporal lists no poller; running: ready; one queue stopped: not ready', async () => {
    const before = await checkWorkerReadiness(connection, workers);
    expect(before.ready).toBe(false);
    expect(before.temporal).toBe('reachable');
    expect(before.queues.map(({ state, polling }) => [state, polling])).toEqual([
      ['INITIALIZED', false],
      ['INITIALIZED', false],
      ['INITIALIZED', false],
      ['INITIALIZED', false],
      ['INITIALIZED', false],
      ['INITIALIZED', false],
    ]);

    runs.push(...workers.map((worker) => worker.run()));
    await waitUntil('the workers to be ready', async () => ((await checkWorkerReadiness(connection, workers)).ready ? true : undefined), 30_000);

    const trustistWorker = workers[2] as Worker;
    trustistWorker.shutdown();
    const after = await checkWorkerReadiness(connection, workers);
    expect(after.ready).toBe(false);
    expect(after.queues.map(({ type, state }) => [type, state === 'RUNNING'])).toEqual([
      ['workflow', true],
      ['activity', true], // the merchant-event publisher's fallback, on the workflow queue
      ['activity', true],
      ['activity', false],
      ['workflow', true], // merchants' event logs
      ['activity', true], // their deliveries
    ]);
  });
});
