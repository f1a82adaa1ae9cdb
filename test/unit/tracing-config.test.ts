import { ConfigurationError } from '../../infra/env-config';
import { tracingFromEnv } from '../../infra/observability/tracing';

describe('tracing configuration (OTEL_* variables)', () => {
  test('off unless OTEL_TRACES_EXPORTER asks for otlp, and OTEL_SDK_DISABLED turns it off again', () => {
    expect(tracingFromEnv('payments-test', {})).toBeUndefined();
    expect(tracingFromEnv('payments-test', { OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracingFromEnv('payments-test', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
  });

  test('an exporter this build does not have is a configuration error naming the variable', () => {
    expect(() => tracingFromEnv('payments-test', { OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(ConfigurationError);
    expect(() => tracingFromEnv('payments-test', { OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER: .*zipkin/);
  });
});
