/** Not a workflow: the workflow interceptors of the bundle (bundleWorkflowCode's workflowInterceptorModules). */
import type * as OpenTelemetryWorkflow from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The header the OpenTelemetry client and workflow interceptors carry the trace context in. */
const TRACE_HEADER = '_tracer-data';

/**
 * OpenTelemetry's workflow modules, loaded by the first traced workflow. The bundle's modules are evaluated again for
 * every workflow run (each run has its own module state), and evaluating OpenTelemetry's ~110 modules was 13% of the
 * workflow thread's CPU per payment with tracing off (issue 17 profile).
 */
function openTelemetryWorkflow(): typeof OpenTelemetryWorkflow {
  // A lazy require: webpack bundles the module and evaluates it only when this runs.
  return require('@temporalio/interceptors-opentelemetry/lib/workflow') as typeof OpenTelemetryWorkflow;
}

/**
 * OpenTelemetry's workflow interceptors, for workflows started with a trace context only: a workflow whose starter
 * did not trace (tracing is off by default) runs without them, so it creates no spans and calls no sink. The choice
 * comes from the start event's headers, so a replay makes the same one; histories recorded before tracing existed
 * carry no trace header and replay as they ran.
 */
export const interceptors = (): WorkflowInterceptors => {
  let otel:
    | {
        inbound: OpenTelemetryWorkflow.OpenTelemetryInboundInterceptor;
        outbound: OpenTelemetryWorkflow.OpenTelemetryOutboundInterceptor;
        internals: OpenTelemetryWorkflow.OpenTelemetryInternalsInterceptor;
      }
    | undefined;
  const traced = () => otel;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (input.headers[TRACE_HEADER] === undefined) return next(input);
      const { OpenTelemetryInboundInterceptor, OpenTelemetryOutboundInterceptor, OpenTelemetryInternalsInterceptor } = openTelemetryWorkflow();
      otel = { inbound: new OpenTelemetryInboundInterceptor(), outbound: new OpenTelemetryOutboundInterceptor(), internals: new OpenTelemetryInternalsInterceptor() };
      return otel.inbound.execute(input, next);
    },
    handleSignal: (input, next) => traced()?.inbound.handleSignal(input, next) ?? next(input),
    handleUpdate: (input, next) => traced()?.inbound.handleUpdate(input, next) ?? next(input),
    validateUpdate: (input, next) => {
      const current = traced();
      return current ? current.inbound.validateUpdate(input, next) : next(input);
    },
    handleQuery: (input, next) => traced()?.inbound.handleQuery(input, next) ?? next(input),
  };
  const outbound: WorkflowOutboundCallsInterceptor = {
    scheduleActivity: (input, next) => traced()?.outbound.scheduleActivity(input, next) ?? next(input),
    scheduleLocalActivity: (input, next) => traced()?.outbound.scheduleLocalActivity(input, next) ?? next(input),
    startChildWorkflowExecution: (input, next) => traced()?.outbound.startChildWorkflowExecution(input, next) ?? next(input),
    continueAsNew: (input, next) => traced()?.outbound.continueAsNew(input, next) ?? next(input),
    signalWorkflow: (input, next) => traced()?.outbound.signalWorkflow(input, next) ?? next(input),
    getLogAttributes: (input, next) => traced()?.outbound.getLogAttributes(input, next) ?? next(input),
  };
  const internals: WorkflowInternalsInterceptor = {
    dispose: (input, next) => {
      const current = traced();
      return current ? current.internals.dispose(input, next) : next(input);
    },
  };
  return { inbound: [inbound], outbound: [outbound], internals: [internals] };
};
