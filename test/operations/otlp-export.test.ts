import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPayment, paymentBody } from '../support/merchant-client';
import { waitUntil } from '../support/wait-until';
import { ProcessStack } from '../chaos/support/process-stack';

interface ExportedSpan {
  service: string;
  name: string;
  traceId: string;
}

/** OTLP/HTTP JSON bodies, as a collector receives them on /v1/traces. */
function startFakeCollector(): Promise<{ url: string; spans: ExportedSpan[]; server: Server }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string; traceId: string }[] }[] }[];
        };
        for (const resourceSpans of body.resourceSpans) {
          const service = resourceSpans.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) spans.push({ service, name: span.name, traceId: span.traceId });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, server })));
}

/** Issue 15, traces configured by the standard OTEL_* variables: both processes export over OTLP/HTTP, one trace. */
describe('OTLP export', () => {
  let stack: ProcessStack;
  let collector: Awaited<ReturnType<typeof startFakeCollector>>;

  beforeAll(async () => {
    collector = await startFakeCollector();
    const otel = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_SCHEDULE_DELAY: '200' };
    stack = await ProcessStack.start({ extraWorkerEnv: otel, extraApiEnv: { ...otel, OTEL_SERVICE_NAME: 'checkout-api' } });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    collector?.server.close();
  });

  test('a payment started on the API process continues its trace in the worker process', async () => {
    const payment = await createPayment(stack.apiUrl, paymentBody('turnstay'));
    expect(payment.body.status).toBe('COMPLETE');
    const root = await waitUntil('the API to export its request span', async () => collector.spans.find((span) => span.name === 'POST /v1/payments'), 30_000);
    expect(root.service).toBe('checkout-api');
    const inWorker = await waitUntil(
      // The workflow's call to the process holding the card, which creates the payment and submits the card (issue 17).
      'the worker to export the provider call of that trace',
      async () => collector.spans.find((span) => span.traceId === root.traceId && span.name === 'StartActivity:prepareAndSubmitCardFromVault'),
      30_000,
    );
    expect(inWorker.service).toBe('payments-worker');
  });
});
