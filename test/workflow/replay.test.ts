import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { createDataConverter } from '../../infra/data-converter';
import { paymentMetricsSinks } from '../../worker/payment-metrics-sinks';
import { parsePayloadKeys } from '../../infra/payload-codec';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { LostStartAnswer } from '../support/lost-start-answer';
import { callApi, createPayment, paymentBody, waitForPayment, waitForReservation } from '../support/merchant-client';
import { testPayloadEncryption } from '../support/payment-stack';
import { fillHostedForm } from '../support/hosted-form';
import { completeChallenge, setFaults, setWebhookMode } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { merchantEventLogId } from '../../domain/merchant-event';
import { EventReceiver, newEventSecret, waitFor } from '../events/support/event-receiver';
import { reconciliationFindingSignal } from '../../workflows/messages';
import { runReconciliation, waitForVisibleMismatch } from '../operations/support/reconciliation';
import { runBranchScenarios, type RecordedRun } from './support/branch-scenarios';
import { waitUntil } from '../support/wait-until';

const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');
const DAY_MS = 86_400_000;
const FIXTURE_KEY = parsePayloadKeys(readFileSync(join(FIXTURES, 'fixture-payload-key.txt'), 'utf8').trim());

/** Determinism guard: histories of every kind of payment replay against the current workflow code. */
describe('workflow replay', () => {
  let stack: ApiStack;
  const ids: string[] = [];
  /** Runs of the branches issue 16 asked fixtures for (see support/branch-scenarios.ts). */
  const branchRuns: RecordedRun[] = [];
  // Merchant events (patch merchant-events): payments and reservations publish, the merchant's log delivers here.
  const receiver = new EventReceiver(newEventSecret());

  beforeAll(async () => {
    const lostStartAnswer = new LostStartAnswer();
    await receiver.start();
    stack = await startApiStack({
      timing: { challengeTimeoutMs: 3_000, statusPollDelaysMs: [500], lostAnswerGraceMs: 1_000, scheduledChargeSilenceMs: 2_000 },
      apiClientInterceptors: [lostStartAnswer.interceptor],
      merchantEvents: { endpoints: { merchant1: [{ id: 'ep_replay', url: receiver.url, secret: receiver.secret }] }, settings: { initialRetryMs: 200, maxRetryMs: 1_000 } },
    });
    lostStartAnswer.observer = stack.client;
    const frictionless = await createPayment(stack.baseUrl, paymentBody('turnstay'));
    const declined = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.declined) }));
    const challenged = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.challenge) }));
    await completeChallenge(challenged.body.nextAction!.url, 'authenticate');
    const expired = await createPayment(stack.baseUrl, paymentBody('turnstay', { card: testCard(TEST_CARDS.challenge) }));
    await waitForPayment(stack.baseUrl, challenged.body.id, (payment) => payment.status === 'COMPLETE');
    await callApi(stack.baseUrl, 'POST', `/v1/payments/${frictionless.body.id}/refund`, { body: { amountMinor: 100 } });
    await callApi(stack.baseUrl, 'POST', `/v1/payments/${challenged.body.id}/cancel`, { body: {} });
    // A refund whose answer comes back garbled after the provider made it: resolved from the provider's refunded total.
    const lostRefund = await createPayment(stack.baseUrl, paymentBody('trustist'));
    await setFaults(stack.trustist.apiUrl, {
      failNext: { count: 1, kind: 'malformed', phase: 'after', pathPrefix: `/v1/payments/${lostRefund.body.providerPaymentId}/refunds` },
    });
    await callApi(stack.baseUrl, 'POST', `/v1/payments/${lostRefund.body.id}/refund`, { body: { amountMinor: 100 }, headers: { 'idempotency-key': 'replay-lost-refund' } });
    // A reservation charged through the payment that owns the charge's refunds: the reservation's cancel asks that
    // payment to refund it, and the payment reports back to its reservation.
    const reservation = await callApi<{ id: string; status: string; charges: { paymentIds: string[] }[] }>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'turnstay',
        amountMinor: 30_000,
        currency: 'GBP',
        reference: `stay-${randomUUID().slice(0, 12)}`,
        card: testCard(TEST_CARDS.frictionless),
        payer: { email: 'guest@example.com' },
        stay: { checkinAt: new Date(Date.now() + 2 * DAY_MS).toISOString(), checkoutAt: new Date(Date.now() + 3 * DAY_MS).toISOString() },
        policy: { kind: 'charge_now' },
      },
    });
    expect(reservation.body.status).toBe('PAID');
    const reservationPaymentId = reservation.body.charges[0]?.paymentIds[0] as string;
    await callApi(stack.baseUrl, 'POST', `/v1/reservations/${reservation.body.id}/cancel`, { body: { reason: 'replay fixture' } });
    await waitForPayment(stack.baseUrl, expired.body.id, (payment) => payment.status === 'EXPIRED');
    // A lost start answer: the card is dropped, and the merchant's retry hands its card over (CardHandover).
    const handedOver = paymentBody('turnstay');
    lostStartAnswer.loseNextAnswerFor(`payment-merchant1-${handedOver.reference}`);
    await setFaults(stack.turnstay.apiUrl, { failNext: { count: 1, kind: 'status', status: 503, phase: 'before', pathPrefix: '/api/v1/public/payment/intent' } });
    await createPayment(stack.baseUrl, handedOver, { 'idempotency-key': handedOver.reference });
    const retried = await createPayment(stack.baseUrl, handedOver, { 'idempotency-key': handedOver.reference });
    await setFaults(stack.turnstay.apiUrl, {});
    expect(retried.body.status).toBe('COMPLETE');
    // Hosted card forms (patch hosted-form): a payment the shopper pays on TurnStay's form, and a charge-now reservation
    // whose guest keeps the card on file there (only the token comes back), charged with it, then cancelled and refunded.
    const hosted = await createPayment(stack.baseUrl, { ...paymentBody('turnstay', { method: 'hosted_form' }), card: undefined });
    expect(hosted.body.status).toBe('PENDING_ACTION');
    await fillHostedForm(hosted.body.nextAction!.url, testCard(TEST_CARDS.frictionless));
    await waitForPayment(stack.baseUrl, hosted.body.id, (payment) => payment.status === 'COMPLETE');
    const hostedStay = await callApi<{ id: string; status: string; nextAction?: { url: string } }>(stack.baseUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'turnstay',
        amountMinor: 20_000,
        currency: 'GBP',
        reference: `stay-${randomUUID().slice(0, 12)}`,
        method: 'hosted_form',
        stay: { checkinAt: new Date(Date.now() + 2 * DAY_MS).toISOString(), checkoutAt: new Date(Date.now() + 3 * DAY_MS).toISOString() },
        policy: { kind: 'charge_now' },
      },
    });
    expect(hostedStay.body.status).toBe('BOOKING');
    await fillHostedForm(hostedStay.body.nextAction!.url, testCard(TEST_CARDS.frictionless));
    await waitForReservation<{ status: string }>(stack.baseUrl, hostedStay.body.id, (reservation) => reservation.status === 'PAID');
    await callApi(stack.baseUrl, 'POST', `/v1/reservations/${hostedStay.body.id}/cancel`, { body: { reason: 'replay fixture' } });
    // Reconciliation's finding on a settled payment (patch recheck-signal): recorded as MISMATCH, re-confirmed with the provider.
    const reconciled = await createPayment(stack.baseUrl, paymentBody('turnstay'));
    await stack.client.workflow.getHandle(reconciled.body.id).signal(reconciliationFindingSignal, { reconStatus: 'MISMATCH', reason: 'COMPLETE here, refunded 1.00 GBP at the provider' });
    await waitForPayment(stack.baseUrl, reconciled.body.id, (payment) => payment.transitions.some((entry) => /^re-checked with turnstay/i.test(entry.note ?? '')));
    // A reconciliation run that finds that MISMATCH agreeing with the provider and tells the payment (patch recon-resolved).
    await waitForVisibleMismatch(stack, reconciled.body.id);
    const reconciliationRun = await runReconciliation(stack);
    expect(reconciliationRun.report.resolved).toContain(reconciled.body.id);
    // Reconciliation's re-check of a payment waiting for its challenge: it asks the provider, settles on the webhook, HEALED.
    const rechecked = await createPayment(stack.baseUrl, paymentBody('trustist', { card: testCard(TEST_CARDS.challenge) }));
    const recheckedHandle = stack.client.workflow.getHandle(rechecked.body.id);
    await recheckedHandle.signal(reconciliationFindingSignal, { reconStatus: 'RECHECKING', reason: 'PENDING_ACTION here for 3 h, provider says COMPLETE' });
    await waitForPayment(stack.baseUrl, rechecked.body.id, (payment) => payment.transitions.some((entry) => entry.note?.startsWith('reconciliation:')));
    await completeChallenge(rechecked.body.nextAction!.url, 'authenticate');
    await waitForPayment(stack.baseUrl, rechecked.body.id, (payment) => payment.status === 'COMPLETE');
    await waitUntil('the re-checked payment to turn HEALED', async () => (await recheckedHandle.describe()).searchAttributes.ReconStatus?.[0] === 'HEALED' || undefined, 10_000, 100);
    // Every answer to a Trustist card submission lost after the charge and its webhook dropped: the same card is sent
    // again (patch lost-answer-asks-provider) and the idempotent answer names the payment.
    await setWebhookMode(stack.trustist.apiUrl, 'drop');
    await setFaults(stack.trustist.apiUrl, { failNext: { count: 5, kind: 'status', status: 502, phase: 'after', pathPrefix: '/v1/payments/server-to-server' } });
    const resubmitted = await createPayment(stack.baseUrl, paymentBody('trustist'));
    await waitForPayment(stack.baseUrl, resubmitted.body.id, (payment) => payment.status === 'COMPLETE', 60_000);
    await setWebhookMode(stack.trustist.apiUrl, 'deliver');
    ids.push(resubmitted.body.id);
    ids.push(frictionless.body.id, declined.body.id, challenged.body.id, expired.body.id, lostRefund.body.id, reservation.body.id, reservationPaymentId, retried.body.id);
    ids.push(hosted.body.id, hostedStay.body.id, reconciled.body.id, rechecked.body.id, reconciliationRun.workflowId);
    branchRuns.push(...(await runBranchScenarios(stack)));
    // Closed histories replay whole: the reservations and their payments end with the cancellation's refund.
    await Promise.all([reservation.body.id, reservationPaymentId, hostedStay.body.id].map((id) => stack.client.workflow.getHandle(id).result()));
    // The merchant's event log, once it has delivered the reservation's last event.
    await waitFor('the reservation events delivered', () => receiver.of(reservation.body.id).some((event) => event.type === 'reservation.cancelled'));
    ids.push(merchantEventLogId('merchant1', stack.taskQueue));
  });
  afterAll(async () => {
    await stack?.close();
    await receiver.stop();
  });

  test('histories from this run and recorded fixtures replay without non-determinism', async () => {
    const histories = [];
    for (const { workflowId, runId, suffix } of [...ids.map((workflowId): RecordedRun => ({ workflowId })), ...branchRuns]) {
      const history = await stack.client.workflow.getHandle(workflowId, runId).fetchHistory();
      histories.push({ workflowId, history });
      if (process.env.RECORD_HISTORIES === '1') {
        const name = `${workflowId}${suffix ? `-${suffix}` : ''}`.replace(/[^\w.-]/g, '_');
        writeFileSync(join(FIXTURES, `${name}.history.bin`), temporal.api.history.v1.History.encode(history).finish());
      }
    }
    const recorded = existsSync(FIXTURES)
      ? readdirSync(FIXTURES).filter((file) => file.endsWith('.history.bin')).map((file) => ({
          workflowId: file.replace(/\.history\.bin$/, ''),
          history: temporal.api.history.v1.History.decode(readFileSync(join(FIXTURES, file))),
        }))
      : [];
    const { keys, activeKeyId } = testPayloadEncryption();
    const results = [];
    for await (const result of Worker.runReplayHistories(
      {
        workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE as string },
        dataConverter: createDataConverter({ keys: [...keys, ...FIXTURE_KEY], activeKeyId }),
        // Registered as a worker registers them; a replay calls none of them.
        sinks: paymentMetricsSinks,
      },
      [...histories, ...recorded],
    )) {
      results.push(result);
    }
    expect(results).toHaveLength(histories.length + recorded.length);
    expect(results.filter((result) => result.error).map((result) => `${result.workflowId}: ${String(result.error)}`)).toEqual([]);
  });
});
