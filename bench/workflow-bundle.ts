import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_BUNDLE_OPTIONS } from '../worker/workflow-bundle-options';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

/**
 * Prebuilds the worker's workflow bundle once (as production and the test run do), so each worker start loads
 * it (WORKFLOW_BUNDLE_PATH) instead of running webpack. Same inputs as the worker's own bundling.
 */
export async function buildWorkflowBundle(dir: string): Promise<{ path: string; ms: number }> {
  const started = performance.now();
  const bundle = await bundleWorkflowCode({
    ...WORKFLOW_BUNDLE_OPTIONS,
    logger: quiet,
  });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return { path, ms: performance.now() - started };
}
