import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/workflow-bundle-options';
import { startTemporal } from '../../infra/start-temporal';
import { parseTopology } from '../../infra/temporal-topology';
import { testRunDir } from './test-run-dir';

/**
 * One real Temporal server of the run's topology (TEST_TOPOLOGY: `dev`, the CLI dev server, or `cluster`, the server on
 * PostgreSQL) and one workflow bundle for the whole run; every test file brings its own workers on its own task
 * queues. Values reach the test workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  mkdirSync(testRunDir, { recursive: true });
  if (process.env.RECORD_HISTORIES === '1') {
    // Recorded fixtures must decode in later runs: encrypt this run with the committed fixture key.
    const fixtureKey = readFileSync(resolve(__dirname, '../fixtures/histories/fixture-payload-key.txt'), 'utf8').trim();
    process.env.TEST_PAYLOAD_KEYS = fixtureKey;
    process.env.TEST_PAYLOAD_ACTIVE_KEY_ID = fixtureKey.split(':')[0];
  } else {
    process.env.TEST_PAYLOAD_KEYS = `test-key-1:${randomBytes(32).toString('base64')}`;
    process.env.TEST_PAYLOAD_ACTIVE_KEY_ID = 'test-key-1';
  }
  if (process.env.TEST_WITHOUT_TEMPORAL === '1') return;
  const started = Date.now();
  const topology = parseTopology(process.env.TEST_TOPOLOGY);
  const [server, bundle] = await Promise.all([
    startTemporal(topology, { dataDir: join(testRunDir, 'temporal') }),
    bundleWorkflowCode({
      ...WORKFLOW_BUNDLE_OPTIONS,
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
    }),
  ]);
  const bundlePath = join(testRunDir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  process.env.TEST_TEMPORAL_ADDRESS = server.address;
  process.env.TEST_TEMPORAL_NAMESPACE = server.namespace;
  process.env.TEST_TOPOLOGY = topology;
  process.env.TEST_TEMPORAL_STORE = JSON.stringify(server.store);
  process.env.TEST_TEMPORAL_UI_URL = server.uiUrl;
  process.env.TEST_TEMPORAL_METRICS_URL = server.metricsUrl;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  (globalThis as { __temporalServer?: typeof server }).__temporalServer = server;
  const what = topology === 'dev' ? 'dev server' : 'cluster (PostgreSQL)';
  process.stderr.write(`\n[test] Temporal ${what} ${server.address} (UI ${server.uiUrl}) and workflow bundle ready in ${Date.now() - started} ms\n`);
}
