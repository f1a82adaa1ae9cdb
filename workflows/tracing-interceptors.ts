/** Not a workflow: the workflow interceptors of the bundle (bundleWorkflowCode's workflowInterceptorModules). */
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptors,
  WorkflowInternalsInterceptor,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';

/** The header the OpenTelemetry client and workflow interceptors carry the trace context in. */
const TRACE_HEADER = '_tracer-data';

/**
 * OpenTelemetry's workflow interceptors, for workflows started with a trace context only: a workflow whose starter
 * did not trace (tracing is off by default) runs without them, so it creates no spans and calls no sink. The choice
 * comes from the start event's headers, so a replay makes the same one; histories recorded before tracing existed
 * carry no trace header and replay as they ran.
 */
export const interceptors = (): WorkflowInterceptors => {
  let otel: { inbound: OpenTelemetryInboundInterceptor; outbound: OpenTelemetryOutboundInterceptor; internals: OpenTelemetryInternalsInterceptor } | undefined;
  const traced = () => otel;

  const inbound: WorkflowInboundCallsInterceptor = {
    execute(input, next) {
      if (input.headers[TRACE_HEADER] === undefined) return next(input);
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
