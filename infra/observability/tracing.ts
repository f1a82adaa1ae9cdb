import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResourcesSync, envDetectorSync, Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ConfigurationError } from '../env-config';

/** A running tracer provider: where the process's spans, and those its workflows export through a sink, go. */
export interface Tracing {
  spanProcessor: SpanProcessor;
  resource: Resource;
  shutdown(): Promise<void>;
}

/**
 * Tracing as the standard OTEL_* variables ask, off by default: `OTEL_TRACES_EXPORTER=otlp` turns it on and sends
 * spans over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, with
 * `OTEL_EXPORTER_OTLP_HEADERS` etc., read by the exporter); `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` name
 * the process; `OTEL_SDK_DISABLED=true` turns it off again. Unset, nothing is installed and nothing is traced.
 */
export function tracingFromEnv(defaultServiceName: string, env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'none').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  const unsupported = exporters.filter((name) => name !== 'otlp' && name !== 'none');
  if (unsupported.length > 0) throw new ConfigurationError([`OTEL_TRACES_EXPORTER: must be "otlp" or "none" (got ${unsupported.join(', ')})`]);
  if (!exporters.includes('otlp')) return undefined;
  return installTracing(defaultServiceName, new BatchSpanProcessor(new OTLPTraceExporter()));
}

/** Registers a global tracer provider (AsyncLocalStorage context, W3C trace context) sending spans to `spanProcessor`. */
export function installTracing(defaultServiceName: string, spanProcessor: SpanProcessor): Tracing {
  const resource = Resource.default()
    .merge(new Resource({ 'service.name': defaultServiceName }))
    .merge(detectResourcesSync({ detectors: [envDetectorSync] }));
  const provider = new NodeTracerProvider({ resource, spanProcessors: [spanProcessor] });
  provider.register();
  return { spanProcessor, resource, shutdown: () => provider.shutdown() };
}
