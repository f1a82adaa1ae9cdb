import type { BundleOptions } from '@temporalio/worker';

/**
 * Workflow interceptors: OpenTelemetry's, inert for workflows started without a trace context; the one that tells
 * a quick path when an update's answer waits on the task; and the one that runs local activities one at a time.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [
  require.resolve('../workflows/tracing-interceptors'),
  require.resolve('../workflows/answers-waiting-interceptors'),
  require.resolve('../workflows/local-activity-turns-interceptors'),
];

/**
 * Modules evaluated once per workflow thread instead of once per workflow run: the SDK shares them between runs in its
 * reusable context (and freezes them). Evaluating the bundle's modules for every run was ~9% of the workflow thread's
 * CPU (issue 17 profile). They keep no module-level state (the lint forbids it), so nothing passes between payments.
 */
export const WORKFLOW_PRELOAD_MODULES = [require.resolve('../workflows'), ...WORKFLOW_INTERCEPTOR_MODULES];

/** What every workflow bundle is built from: the prebuilt ones (production, tests, bench) and a worker's own. */
export const WORKFLOW_BUNDLE_OPTIONS: Omit<BundleOptions, 'logger'> = {
  workflowsPath: require.resolve('../workflows'),
  failureConverterPath: require.resolve('../infra/failure-converter'),
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
  preloadModules: WORKFLOW_PRELOAD_MODULES,
};
