/**
 * Workflow interceptor modules of every workflow bundle (bundleWorkflowCode's workflowInterceptorModules, or the
 * worker's own bundling): OpenTelemetry's, inert for workflows started without a trace context.
 */
export const WORKFLOW_INTERCEPTOR_MODULES = [require.resolve('../workflows/tracing-interceptors')];
