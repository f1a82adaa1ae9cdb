import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES } from '../worker/workflow-interceptor-modules';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} };

/**
 * Prebuilds the worker's workflow bundle once (as production and the test run do), so each worker start loads
 * it (WORKFLOW_BUNDLE_PATH) instead of running webpack. Same inputs as the worker's own bundling.
 */
export async function buildWorkflowBundle(dir: string): Promise<{ path: string; ms: number }> {
  const started = performance.now();
  const bundle = await bundleWorkflowCode({
    workflowsPath: resolve(__dirname, '../workflows'),
    failureConverterPath: resolve(__dirname, '../infra/failure-converter'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    logger: quiet,
  });
  const path = join(dir, 'workflow-bundle.js');
  writeFileSync(path, bundle.code);
  return { path, ms: performance.now() - started };
}
