import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startTemporal } from '../../infra/start-temporal';
import type { RunningCluster } from '../../infra/temporal-cluster';
import { parseTopology, type RunningTemporal } from '../../infra/temporal-topology';
import { searchServerStore } from '../support/server-store';
import { callApi, type ApiResponse, type PaymentBody } from '../support/merchant-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { CVC_FORMS } from './support/card-data-search';
import { recordChaosRows, type ChaosRow } from './support/chaos-report';
import {
  chaosPaymentBody,
  completeChallengeSurely,
  movementsByReference,
  postPayment,
  seconds,
  waitForFinishedPayment,
  waitForReservation,
  wholeLedger,
} from './support/chaos-helpers';
import { pause, waitUntil } from '../support/wait-until';
import { ProcessStack } from './support/process-stack';

const DAY_MS = 86_400_000;

/**
 * Issue 7: the Temporal server itself is SIGKILLed mid-flight and restarted on the same store and ports (the dev
 * server's SQLite file, or the cluster's PostgreSQL). This file runs its own server of the run's topology (the run's
 * shared one serves the other files). Challenge payments wait for webhooks and polls, completed payments wait for
 * refunds, reservations sleep towards their charge time; every one of them must finish correctly after the restart,
 * with money moved once. On the cluster, PostgreSQL is also restarted under live payments.
 */
const topology = parseTopology(process.env.TEST_TOPOLOGY);
const storeName = topology === 'dev' ? 'the same SQLite file' : 'the same PostgreSQL';

describe(`Temporal server crash and restart (${topology})`, () => {
  const dataDir = resolve(__dirname, '../../.data/test', `chaos-temporal-${process.pid}-${randomUUID().slice(0, 8)}`);
  let server: RunningTemporal;
  let stack: ProcessStack;
  const rows: ChaosRow[] = [];

  beforeAll(async () => {
    server = await startTemporal(topology, { dataDir });
    stack = await ProcessStack.start({
      temporal: { address: server.address, namespace: server.namespace },
      statusPollDelaysMs: [5_000],
      challengeTimeoutMs: 300_000,
      webhookRetry: { baseDelayMs: 500, maxAttempts: 8 },
    });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await server?.stop();
    if (rows.length > 0) await recordChaosRows(rows);
    rmSync(dataDir, { recursive: true, force: true });
    if (server?.store.kind === 'postgres') rmSync(server.store.dataDir, { recursive: true, force: true });
  });

  test(`SIGKILL of the Temporal server with challenges, refunds and sleeping reservations in flight; restart on ${storeName}`, async () => {
    const providers = ['turnstay', 'trustist'] as const;
    // Four challenges waiting for the shopper, two completed payments to refund later.
    const challenges: PaymentBody[] = [];
    const completed: PaymentBody[] = [];
    for (const provider of providers) {
      for (let index = 0; index < 2; index += 1) {
        const response = await postPayment(stack.apiUrl, chaosPaymentBody(provider, TEST_CARDS.challenge));
        expect(response.status === 201 && response.body.status).toBe('PENDING_ACTION');
        challenges.push((response as ApiResponse<PaymentBody>).body);
      }
      const paid = await postPayment(stack.apiUrl, chaosPaymentBody(provider));
      expect(paid.status === 201 && paid.body.status).toBe('COMPLETE');
      completed.push((paid as ApiResponse<PaymentBody>).body);
    }
    // Reservations charged on check-in: two fall due while the server is down, two after it is back.
    const reservations: { id: string; paymentId: string }[] = [];
    for (const dueInMs of [6_000, 6_000, 30_000, 30_000]) {
      const reference = `stay-${randomUUID().slice(0, 12)}`;
      const checkinAt = new Date(Date.now() + dueInMs).toISOString();
      const booked = await callApi<{ id: string; status: string }>(stack.apiUrl, 'POST', '/v1/reservations', {
        body: {
          provider: 'turnstay',
          amountMinor: 30_000,
          currency: 'GBP',
          reference,
          card: testCard(TEST_CARDS.frictionless),
          stay: { checkinAt, checkoutAt: new Date(Date.parse(checkinAt) + 2 * DAY_MS).toISOString() },
          policy: { kind: 'on_checkin' },
        },
      });
      expect(booked.body.status).toBe('SCHEDULED');
      reservations.push({ id: booked.body.id, paymentId: `payment-merchant1-${reference}-c1-a1` });
    }
    const started = challenges.length + completed.length + reservations.length;

    const killedAt = Date.now();
    await server.kill();
    // While Temporal is down: two shoppers finish their challenges (the providers charge and send webhooks that
    // the API cannot pass on yet), and two reservations fall due.
    await completeChallengeSurely(challenges[0]!.nextAction!.url, 'authenticate');
    await completeChallengeSurely(challenges[2]!.nextAction!.url, 'authenticate');
    await pause(8_000);
    await server.restart();
    const restartedAt = Date.now();
    expect(stack.workers[0]!.process.exitCode).toBeNull();
    expect(stack.api!.process.exitCode).toBeNull();

    // After the restart: the other two shoppers (one fails authentication), and refunds of the completed payments.
    await completeChallengeSurely(challenges[1]!.nextAction!.url, 'fail');
    await completeChallengeSurely(challenges[3]!.nextAction!.url, 'authenticate');
    const [challengeOutcomes, refundOutcomes, reservationOutcomes] = await Promise.all([
      Promise.all(challenges.map((payment) => waitForFinishedPayment(stack.apiUrl, payment.id, 120_000))),
      Promise.all(
        completed.map(async (payment) => {
          const refund = await waitForRefund(stack.apiUrl, payment.id);
          return { payment: refund, at: Date.now() };
        }),
      ),
      Promise.all(reservations.map(({ id }) => waitForReservation(stack.apiUrl, id, (current) => current.status === 'PAID', 120_000))),
    ]);
    // Recovery: until everything that happened or fell due while the server was down is finished.
    const affected = [challengeOutcomes[0]!.at, challengeOutcomes[2]!.at, reservationOutcomes[0]!.at, reservationOutcomes[1]!.at];
    const allDone = Math.max(...challengeOutcomes.map((outcome) => outcome.at), ...refundOutcomes.map((outcome) => outcome.at), ...reservationOutcomes.map((outcome) => outcome.at));

    expect(challengeOutcomes.map((outcome) => outcome.payment.status)).toEqual(['COMPLETE', 'FAILED', 'COMPLETE', 'COMPLETE']);
    expect(refundOutcomes.map((outcome) => outcome.payment.status)).toEqual(['REFUNDED', 'REFUNDED']);
    expect(reservationOutcomes.map((outcome) => outcome.reservation.status)).toEqual(['PAID', 'PAID', 'PAID', 'PAID']);

    const ledger = movementsByReference([...(await wholeLedger(stack.turnstay.apiUrl)), ...(await wholeLedger(stack.trustist.apiUrl))]);
    const movements = (id: string) => ({ id, charges: ledger.get(id)?.charges ?? 0, refunds: ledger.get(id)?.refunds ?? 0 });
    expect(challenges.map((payment) => movements(payment.id))).toEqual(
      challenges.map((payment, index) => ({ id: payment.id, charges: index === 1 ? 0 : 1, refunds: 0 })),
    );
    expect(completed.map((payment) => movements(payment.id))).toEqual(completed.map((payment) => ({ id: payment.id, charges: 1, refunds: 1 })));
    expect(reservations.map(({ paymentId }) => movements(paymentId))).toEqual(reservations.map(({ paymentId }) => ({ id: paymentId, charges: 1, refunds: 0 })));
    const chargedTwice = [...challenges, ...completed].map((payment) => payment.id).concat(reservations.map(({ paymentId }) => paymentId))
      .filter((id) => movements(id).charges > 1 || movements(id).refunds > 1).length;

    // The restarted server's store holds the whole story, and still no card data.
    const store = searchServerStore([...Object.values(TEST_CARDS), ...CVC_FORMS], [challenges[0]!.id], server.store);
    expect(store.controlsMissing).toEqual([]);
    expect(store.found).toEqual([]);

    rows.push({
      scenario: `Temporal server SIGKILL, restart on ${storeName}`,
      started,
      finished: started,
      chargedTwice,
      stuck: 0,
      recoverySeconds: seconds(restartedAt, Math.max(...affected)),
      notes: `down ${seconds(killedAt, restartedAt)} s; 4 challenges (2 completed while down), 2 refunds after, 4 reservations (2 due while down, 2 after); recovery = restart to the last of what came due while down; all done ${seconds(restartedAt, allDone)} s after restart`,
    });
  }, 240_000);
  // Only the cluster has a database of its own to restart; the dev server's SQLite lives inside its process.
  const onCluster = topology === 'cluster' ? test : test.skip;
  onCluster('PostgreSQL restart under live payments: challenges waiting, frictionless payments mid-flight', async () => {
    const cluster = server as RunningCluster;
    const challenges: PaymentBody[] = [];
    for (const provider of ['turnstay', 'trustist'] as const) {
      const response = await postPayment(stack.apiUrl, chaosPaymentBody(provider, TEST_CARDS.challenge));
      expect(response.status === 201 && response.body.status).toBe('PENDING_ACTION');
      challenges.push((response as ApiResponse<PaymentBody>).body);
    }
    // Six payments sent as the database goes down: each must end in one final state with money moved at most once.
    const bodies = Array.from({ length: 6 }, (_, index) => chaosPaymentBody(index % 2 === 0 ? 'turnstay' : 'trustist'));
    const posts = bodies.map((body) => postPayment(stack.apiUrl, body));
    const restartStarted = Date.now();
    await cluster.restartPostgres();
    const restartedAt = Date.now();
    const answers = await Promise.all(posts);
    await Promise.all(challenges.map((payment) => completeChallengeSurely(payment.nextAction!.url, 'authenticate')));

    // A merchant whose request failed retries it with the same reference: the same payment, never a second one.
    const ids = await Promise.all(
      bodies.map(async (body, index) => {
        const answer = answers[index]!;
        // 202: accepted, no first outcome yet (PAYMENT_ANSWER_WITHIN_MS); the outcome is read below.
        if (answer.status === 201 || answer.status === 200 || answer.status === 202) return (answer as ApiResponse<PaymentBody>).body.id;
        const retried = await waitUntil('a retried payment to be accepted', async () => {
          const again = await postPayment(stack.apiUrl, body);
          return again.status === 201 || again.status === 200 || again.status === 202 ? (again as ApiResponse<PaymentBody>).body.id : undefined;
        }, 60_000, 1_000);
        return retried;
      }),
    );
    const outcomes = await Promise.all([...challenges.map((payment) => payment.id), ...ids].map((id) => waitForFinishedPayment(stack.apiUrl, id, 120_000)));
    const ledger = movementsByReference([...(await wholeLedger(stack.turnstay.apiUrl)), ...(await wholeLedger(stack.trustist.apiUrl))]);
    const moved = outcomes.map(({ payment }) => ({ id: payment.id, status: payment.status, charges: ledger.get(payment.id)?.charges ?? 0 }));
    // Challenges completed after the restart are charged once; every other payment is charged once if it says COMPLETE.
    expect(moved.slice(0, 2).map((entry) => [entry.status, entry.charges])).toEqual([['COMPLETE', 1], ['COMPLETE', 1]]);
    expect(moved.filter((entry) => entry.charges !== (entry.status === 'COMPLETE' ? 1 : 0))).toEqual([]);
    const completedAfter = moved.filter((entry) => entry.status === 'COMPLETE').length;

    rows.push({
      scenario: 'PostgreSQL restart (fast shutdown, start) under live payments',
      started: moved.length,
      finished: moved.length,
      chargedTwice: moved.filter((entry) => entry.charges > 1).length,
      stuck: 0,
      recoverySeconds: seconds(restartedAt, Math.max(...outcomes.map((outcome) => outcome.at))),
      notes: `database down ${seconds(restartStarted, restartedAt)} s; 2 challenges waiting + 6 payments sent as it went down (${answers.filter((answer) => answer.status !== 201 && answer.status !== 200).length} answered an error and were retried with the same reference); ${completedAfter} of ${moved.length} COMPLETE, each charged once`,
    });
  }, 240_000);
});

/**
 * The merchant refunds in full; while Temporal settles after the restart an attempt may answer 503 (nothing decided),
 * so it retries with the same Idempotency-Key, the same refund. Any other refusal is a failure, not a retry. The
 * refund answers with the refund object (200 SUCCEEDED, or 202 PENDING while the provider's answer is unknown); the
 * payment then shows REFUNDED, with that refund and no other.
 */
async function waitForRefund(baseUrl: string, id: string): Promise<PaymentBody> {
  const key = `refund-${randomUUID()}`;
  const deadline = Date.now() + 60_000;
  let refundId: string | undefined;
  while (refundId === undefined) {
    const response = await callApi<{ id?: string; status?: string }>(baseUrl, 'POST', `/v1/payments/${id}/refund`, { body: {}, headers: { 'idempotency-key': key } });
    if (response.status === 200 || response.status === 202) refundId = response.body.id;
    else if (response.status !== 503 || Date.now() > deadline) throw new Error(`refund of ${id} answered ${response.status}: ${JSON.stringify(response.body)}`);
    else await pause(500);
  }
  const refunded = await waitUntil(
    `payment ${id} to show the refund`,
    async () => {
      const current = await callApi<PaymentBody & { refunds: { id: string; status: string }[] }>(baseUrl, 'GET', `/v1/payments/${id}`);
      return current.status === 200 && current.body.status === 'REFUNDED' ? current.body : undefined;
    },
    60_000,
    250,
  );
  expect(refunded.refunds.map((refund) => ({ id: refund.id, status: refund.status }))).toEqual([{ id: refundId, status: 'SUCCEEDED' }]);
  return refunded;
}
