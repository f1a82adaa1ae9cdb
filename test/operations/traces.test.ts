import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { installTracing, type Tracing } from '../../infra/observability/tracing';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createPayment, paymentBody, waitForPayment } from '../support/merchant-client';
import { completeChallenge } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { waitUntil } from '../support/wait-until';

/** Issue 15, traces: one trace from the API's HTTP span through the workflow to each provider call, in memory. */
describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let stack: ApiStack;

  beforeAll(async () => {
    tracing = installTracing('payments-test', new SimpleSpanProcessor(exporter));
    stack = await startApiStack({ tracing, apiClientInterceptors: [new OpenTelemetryWorkflowClientInterceptor()], timing: { refundWindowMs: 500 } });
  });
  afterAll(async () => {
    await stack?.close();
    await tracing?.shutdown();
  });

  test('a challenge payment is one trace: HTTP, client, workflow, each provider call; no span holds card data', async () => {
    const card = testCard(TEST_CARDS.challenge);
    const started = await createPayment(stack.baseUrl, paymentBody('turnstay', { card }));
    expect(started.body.status).toBe('PENDING_ACTION');
    await completeChallenge(started.body.nextAction!.url, 'authenticate');
    await waitForPayment(stack.baseUrl, started.body.id, (payment) => payment.status === 'COMPLETE');
    // The run's span ends when the workflow does (after the short refund window) and leaves it through the sink.
    const run = await waitUntil('the workflow run span', async () => exporter.getFinishedSpans().find((span) => span.name === 'RunWorkflow:paymentWorkflow'), 30_000);
    const spans = exporter.getFinishedSpans();
    /** "parent -> child" for every span of one trace, by name. */
    const edgesOf = (traceId: string) => {
      const trace = spans.filter((span) => span.spanContext().traceId === traceId);
      const byId = new Map(trace.map((span) => [span.spanContext().spanId, span]));
      const parentName = (span: ReadableSpan) => (span.parentSpanId ? (byId.get(span.parentSpanId)?.name ?? '(outside this trace)') : '(root)');
      return [...new Set(trace.map((span) => `${parentName(span)} -> ${span.name}`))].sort();
    };
    // The merchant's call, through update-with-start, into the run, and from the run to each provider call
    // (including the status check after the webhook, which happens later in the same run).
    expect(edgesOf(run.spanContext().traceId)).toEqual([
      '(root) -> POST /v1/payments',
      'POST /v1/payments -> UpdateWithStartWorkflow:firstOutcome',
      'RunWorkflow:paymentWorkflow -> StartActivity:fetchProviderStatus',
      // Created at the provider and the card submitted in one activity, in the process holding the card (issue 17).
      'RunWorkflow:paymentWorkflow -> StartActivity:prepareAndSubmitCardFromVault',
      // The merchant events of the payment's status changes (local activities: no RunActivity span of their own).
      'RunWorkflow:paymentWorkflow -> StartActivity:publishMerchantEvent',
      'StartActivity:fetchProviderStatus -> RunActivity:fetchProviderStatus',
      'StartActivity:prepareAndSubmitCardFromVault -> RunActivity:prepareAndSubmitCardFromVault',
      'UpdateWithStartWorkflow:firstOutcome -> HandleUpdate:firstOutcome',
      'UpdateWithStartWorkflow:firstOutcome -> RunWorkflow:paymentWorkflow',
    ]);
    // The provider's webhook is a trace of its own, from its HTTP span into the payment's update handler.
    const webhook = spans.find((span) => span.name === 'POST /webhooks/turnstay');
    expect(edgesOf(webhook!.spanContext().traceId)).toEqual([
      '(root) -> POST /webhooks/turnstay',
      'POST /webhooks/turnstay -> StartWorkflowUpdate:providerEventHint',
      'StartWorkflowUpdate:providerEventHint -> HandleUpdate:providerEventHint',
      'StartWorkflowUpdate:providerEventHint -> ValidateUpdate:providerEventHint',
    ]);

    // Card data: the search finds a PAN where one is (positive control), and none in any span of the run.
    const cardPatterns = [card.number, card.cvc, `${card.expiryMonth}/${card.expiryYear}`, `${card.expiryMonth}/${card.expiryYear % 100}`, `${card.expiryYear}-${card.expiryMonth}`, /expiry|cvc|cardNumber/i];
    const cardDataIn = (spans: ReadableSpan[]) =>
      spans.flatMap((span) => {
        const text = JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status, links: span.links });
        return cardPatterns.filter((pattern) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text))).map((pattern) => `${span.name}: ${String(pattern)}`);
      });
    const control = { ...run, name: 'control', attributes: { ...run.attributes, leaked: `card ${card.number}` }, events: [], links: [], status: run.status } as unknown as ReadableSpan;
    expect(cardDataIn([control])).toEqual([`control: ${card.number}`]);
    expect(cardDataIn(spans)).toEqual([]);
  });
});
