import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startDevServer, type RunningDevServer } from '../../infra/temporal-dev-server';
import { callApi, type ApiResponse, type PaymentBody } from '../support/merchant-client';
import { testCard, TEST_CARDS, TEST_CVC } from '../support/test-cards';
import { recordChaosRows, type ChaosRow } from './support/chaos-report';
import {
  chaosPaymentBody,
  completeChallengeSurely,
  movementsByReference,
  postPayment,
  seconds,
  sleep,
  waitForFinishedPayment,
  waitForReservation,
  wholeLedger,
} from './support/chaos-helpers';
import { ProcessStack } from './support/process-stack';

const DAY_MS = 86_400_000;

/**
 * Issue 7: the Temporal dev server itself is SIGKILLed mid-flight and restarted on the same SQLite file and ports.
 * This file runs its own server (the run's shared one serves the other files). Challenge payments wait for
 * webhooks and polls, completed payments wait for refunds, reservations sleep towards their charge time; every
 * one of them must finish correctly after the restart, with money moved once.
 */
describe('Temporal server crash and restart', () => {
  const dataDir = resolve(__dirname, '../../.data/test', `chaos-temporal-${process.pid}-${randomUUID().slice(0, 8)}`);
  let server: RunningDevServer;
  let stack: ProcessStack;
  const rows: ChaosRow[] = [];

  beforeAll(async () => {
    server = await startDevServer({ dbFile: join(dataDir, 'temporal.db'), logFile: join(dataDir, 'temporal.log') });
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
  });

  test('SIGKILL of the dev server with challenges, refunds and sleeping reservations in flight; restart on the same SQLite file', async () => {
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
    await sleep(8_000);
    server = await startDevServer(server.options);
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

    // The restarted server's SQLite file holds the whole story, and still no card data.
    const contents = [server.dbFile, `${server.dbFile}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file).toString('latin1')).join('');
    expect(contents).toContain(challenges[0]!.id);
    expect(Object.values(TEST_CARDS).filter((pan) => contents.includes(pan))).toEqual([]);
    expect(contents.includes(`"${TEST_CVC}"`)).toBe(false);

    rows.push({
      scenario: 'Temporal dev server SIGKILL, restart on the same SQLite file',
      started,
      finished: started,
      chargedTwice,
      stuck: 0,
      recoverySeconds: seconds(restartedAt, Math.max(...affected)),
      notes: `down ${seconds(killedAt, restartedAt)} s; 4 challenges (2 completed while down), 2 refunds after, 4 reservations (2 due while down, 2 after); recovery = restart to the last of what came due while down; all done ${seconds(restartedAt, allDone)} s after restart`,
    });
  }, 240_000);
});

/** The merchant refunds in full; while Temporal settles after the restart an attempt may answer 503, so it retries. */
async function waitForRefund(baseUrl: string, id: string): Promise<PaymentBody> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await callApi<PaymentBody>(baseUrl, 'POST', `/v1/payments/${id}/refund`, { body: {} });
    if (response.status === 200) return response.body;
    // A 409 after a lost answer means an earlier attempt did refund: the payment says so.
    const current = await callApi<PaymentBody>(baseUrl, 'GET', `/v1/payments/${id}`);
    if (current.status === 200 && current.body.status === 'REFUNDED') return current.body;
    if (Date.now() > deadline) throw new Error(`refund of ${id} answered ${response.status}: ${JSON.stringify(response.body)}`);
    await sleep(500);
  }
}
