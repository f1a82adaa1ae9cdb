import { findPortForChild } from '../../infra/free-port';
import { callApi, createPayment, paymentBody } from '../support/merchant-client';
import { CVC_TOKEN, TEST_CARDS } from '../support/test-cards';
import { waitUntil } from '../support/wait-until';
import { ProcessStack } from '../chaos/support/process-stack';
import { parsePrometheusText, sampleValue } from './support/prometheus-text';

/**
 * Issue 15, metrics: the worker and the API as `npm start` runs them (separate processes, each with the Temporal
 * core runtime's Prometheus exporter installed), scraped before and after one payment and two refused webhooks.
 */
const DAY_MS = 86_400_000;

describe('metrics', () => {
  let stack: ProcessStack;
  let workerMetricsUrl: string;

  beforeAll(async () => {
    const workerMetricsPort = await findPortForChild();
    workerMetricsUrl = `http://127.0.0.1:${workerMetricsPort}/metrics`;
    stack = await ProcessStack.start({ extraWorkerEnv: { WORKER_METRICS_PORT: String(workerMetricsPort) } });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);
  afterAll(() => stack?.close());

  const scrape = async (url: string) => {
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    return response.text();
  };

  test('counters move by exactly one payment and two refused webhooks; the pages carry the SDK metrics and no card data or ids', async () => {
    const apiBefore = await scrape(`${stack.apiUrl}/metrics`);
    const workerBefore = await scrape(workerMetricsUrl);

    const payment = await createPayment(stack.apiUrl, paymentBody('turnstay'));
    expect(payment.body.status).toBe('COMPLETE');
    const forged = await callApi(stack.apiUrl, 'POST', '/webhooks/turnstay', {
      key: null,
      rawBody: JSON.stringify({ id: 'evt_forged', type: 'payment.succeeded' }),
      headers: { 'turnstay-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
    });
    expect(forged.status).toBe(401);
    const wrongUrl = await callApi(stack.apiUrl, 'POST', '/webhooks/trustist/not-the-secret-url-at-all-0000', { key: null, rawBody: '{}' });
    expect(wrongUrl.status).toBe(401);

    // The worker counts the outcome when the workflow task that reached it completes: wait for that, then compare.
    const workerAfter = await waitUntil(
      'the worker to count the finished payment',
      async () => {
        const page = await scrape(workerMetricsUrl);
        return sampleValue(page, 'payments_finished_total', { provider: 'turnstay', status: 'COMPLETE' }) >
          sampleValue(workerBefore, 'payments_finished_total', { provider: 'turnstay', status: 'COMPLETE' })
          ? page
          : undefined;
      },
      30_000,
    );
    const apiAfter = await scrape(`${stack.apiUrl}/metrics`);
    const moved = (before: string, after: string, name: string, labels: Record<string, string>) =>
      sampleValue(after, name, labels) - sampleValue(before, name, labels);

    expect({
      paymentRequests: moved(apiBefore, apiAfter, 'payments_http_request_duration_seconds_count', { method: 'POST', route: '/v1/payments', status: String(payment.status) }),
      turnstayWebhooks401: moved(apiBefore, apiAfter, 'payments_http_request_duration_seconds_count', { method: 'POST', route: '/webhooks/turnstay', status: '401' }),
      trustistWebhooks401: moved(apiBefore, apiAfter, 'payments_http_request_duration_seconds_count', { method: 'POST', route: '/webhooks/trustist/:secret', status: '401' }),
      firstOutcomes: moved(apiBefore, apiAfter, 'payments_first_outcome_seconds_count', { provider: 'turnstay', status: 'COMPLETE' }),
      refusedSignatures: moved(apiBefore, apiAfter, 'payments_webhook_verifications_refused_total', { provider: 'turnstay', reason: 'mismatch' }),
      refusedUrls: moved(apiBefore, apiAfter, 'payments_webhook_verifications_refused_total', { provider: 'trustist', reason: 'wrong_path_secret' }),
      cardSubmissions: moved(apiBefore, apiAfter, 'payments_provider_call_duration_seconds_count', { provider: 'turnstay', operation: 'submitCard', result: 'ok' }),
      cardVaultMisses: moved(apiBefore, apiAfter, 'payments_card_vault_pickups_missed_total', { activity: 'submitCardFromVault' }),
      started: moved(workerBefore, workerAfter, 'payments_started_total', { provider: 'turnstay' }),
      finished: moved(workerBefore, workerAfter, 'payments_finished_total', { provider: 'turnstay', status: 'COMPLETE' }),
      // The process holding the card creates the payment with the card's submission (issue 17), so the API counts it.
      paymentsPrepared: moved(apiBefore, apiAfter, 'payments_provider_call_duration_seconds_count', { provider: 'turnstay', operation: 'preparePayment', result: 'ok' }),
      providerErrors: moved(apiBefore, apiAfter, 'payments_provider_call_errors_total', { provider: 'turnstay', operation: 'preparePayment', type: 'transient' }),
    }).toEqual({
      paymentRequests: 1,
      turnstayWebhooks401: 1,
      trustistWebhooks401: 1,
      firstOutcomes: 1,
      refusedSignatures: 1,
      refusedUrls: 1,
      cardSubmissions: 1,
      cardVaultMisses: 0,
      started: 1,
      finished: 1,
      paymentsPrepared: 1,
      providerErrors: 0,
    });
    // Each page also carries the Temporal SDK's own metrics (its exporter's page, appended) and Node's process metrics.
    const has = (page: string, name: string) => parsePrometheusText(page).some((sample) => sample.name === name);
    expect({
      apiSdkRequests: has(apiAfter, 'temporal_request'),
      apiCardVaultActivities: has(apiAfter, 'temporal_activity_execution_latency_count'),
      apiProcessCpu: has(apiAfter, 'process_cpu_seconds_total'),
      workerSdkRequests: has(workerAfter, 'temporal_request'),
      workerWorkflowTasks: has(workerAfter, 'temporal_workflow_task_execution_latency_count'),
      workerProcessCpu: has(workerAfter, 'process_cpu_seconds_total'),
    }).toEqual({
      apiSdkRequests: true,
      apiCardVaultActivities: true,
      apiProcessCpu: true,
      workerSdkRequests: true,
      workerWorkflowTasks: true,
      workerProcessCpu: true,
    });

    // Bounded labels only: no label carries the payment's id or reference, or a card value (sample values are numbers).
    const labelValues = [apiAfter, workerAfter].flatMap((page) => parsePrometheusText(page).flatMap((sample) => Object.values(sample.labels)));
    expect(labelValues).toContain('turnstay');
    for (const secret of [payment.body.id, payment.body.reference, TEST_CARDS.frictionless]) {
      expect(labelValues.filter((value) => value.includes(secret))).toEqual([]);
    }
    // As a token: a card-vault queue named card-vault-vm-8282-a7391ce4 is no CVC (CI, stop 21).
    expect(labelValues.filter((value) => CVC_TOKEN.test(value))).toEqual([]);
  });

  test('a booked reservation waiting for its charge counts as asleep', async () => {
    const asleep = async () => sampleValue(await scrape(`${stack.apiUrl}/metrics`), 'payments_reservations_asleep');
    const before = await asleep();
    const checkin = Date.now() + 30 * DAY_MS;
    const booked = await callApi<{ status: string }>(stack.apiUrl, 'POST', '/v1/reservations', {
      body: {
        ...paymentBody('turnstay'),
        amountMinor: 30_000,
        stay: { checkinAt: new Date(checkin).toISOString(), checkoutAt: new Date(checkin + DAY_MS).toISOString() },
        policy: { kind: 'days_before_checkin', days: 7 },
      },
    });
    expect(booked.body.status).toBe('SCHEDULED');
    // Visibility is eventually consistent: the gauge follows within moments.
    await waitUntil('the reservation to count as asleep', async () => ((await asleep()) === before + 1 ? true : undefined), 30_000);
    expect(sampleValue(await scrape(`${stack.apiUrl}/metrics`), 'payments_reservation_charges_due')).toBe(0);
  });
});
