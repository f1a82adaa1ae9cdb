import { DefaultLogger, Runtime } from '@temporalio/worker';
import { showOnFailure } from './shown-on-failure';

// Worker state changes (INFO) stay out; warnings and errors (every decline the tests provoke is an activity failure)
// are kept and shown only when a test fails. The core's own lines are not forwarded (forwarding keeps a timer that
// holds jest open): its warnings (slow workflow tasks under the load tests) stay out, its errors print.
Runtime.install({
  logger: new DefaultLogger('WARN', ({ level, message, meta }) => showOnFailure(`[sdk ${level}] ${message}${meta && Object.keys(meta).length > 0 ? ` ${safeJson(meta)}` : ''}`)),
  telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' } } },
});

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? String(field) : field instanceof Error ? `${field.name}: ${field.message}` : field));
  } catch {
    return String(value);
  }
}
