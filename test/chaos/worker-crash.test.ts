import { randomUUID } from 'node:crypto';
import { callApi, type ApiResponse, type PaymentBody } from '../support/merchant-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { inParallel } from '../../infra/in-parallel';
import { recordChaosRows, type ChaosRow } from './support/chaos-report';
import {
  answeredPayment,
  chaosPaymentBody,
  completeChallengeSurely,
  FINISHED_PAYMENT,
  movementsByReference,
  postPayment,
  seconds,
  setSandboxFaults,
  waitForFinishedPayment,
  waitForHeldRequest,
  waitForReservation,
  wholeLedger,
} from './support/chaos-helpers';
import { waitUntil } from '../support/wait-until';
import { ProcessStack } from './support/process-stack';

/** What the test saw of one payment it sent while the worker was killed. */
interface PaymentOutcome {
  startedAt: number;
  finishedAt?: number;
  status?: string;
  /** The payment's failure code and message, when it has one. */
  failure?: string;
  card: string;
}

/**
 * Issue 7, crashes of the payment worker process (SIGKILL, no shutdown hook), with the worker and the API running
 * as separate processes the way `npm start` runs them. Provider calls without card data run in the worker; each
 * kill lands after the provider processed a call and before its answer reached the worker.
 */
describe('payment worker crashes', () => {
  let stack: ProcessStack;
  const rows: ChaosRow[] = [];

  beforeAll(async () => {
    // The provider HTTP timeout stays below the activity's 30 s start-to-close but above the time it takes to
    // arrange the held calls, so the kill, not the HTTP client, ends each held call.
    stack = await ProcessStack.start({ providerTimeoutMs: 25_000, statusPollDelaysMs: [60_000], challengeTimeoutMs: 300_000 });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    if (rows.length > 0) await recordChaosRows(rows);
  });

  test('SIGKILL while five provider calls are processed but unanswered: after a restart each finishes, money moves once', async () => {
    const turnstay = stack.turnstay.apiUrl;
    const trustist = stack.trustist.apiUrl;
    const finishedAt: number[] = [];
    let settledBeforeKill = 0;
    const track = <T>(promise: Promise<T>) => promise.then((value) => (settledBeforeKill += 1, finishedAt.push(Date.now()), value));

    // 1. A reservation charged on check-in with the stored token: the charge call runs in the worker.
    await setSandboxFaults(turnstay, { failNext: { count: 1, kind: 'timeout', phase: 'after', pathPrefix: '/api/v1/public/payment/intent' } });
    const stayReference = `stay-${randomUUID().slice(0, 12)}`;
    const booked = await callApi<{ id: string; status: string }>(stack.apiUrl, 'POST', '/v1/reservations', {
      body: {
        provider: 'turnstay',
        amountMinor: 40_000,
        currency: 'GBP',
        reference: stayReference,
        card: testCard(TEST_CARDS.frictionless),
        stay: { checkinAt: new Date(Date.now() + 3_000).toISOString(), checkoutAt: new Date(Date.now() + 86_400_000).toISOString() },
        policy: { kind: 'on_checkin' },
      },
    });
    expect(booked.body.status).toBe('SCHEDULED');
    const reservationPaymentId = `payment-merchant1-${stayReference}-c1-a1`;
    await waitForHeldRequest(turnstay, (request) => /^\/api\/v1\/public\/payment\/intent\/[^/]+\/confirm$/.test(request.path));

    // 2. A full refund of a TurnStay payment: the refund is made, its answer held.
    const refunded = await postPayment(stack.apiUrl, chaosPaymentBody('turnstay'));
    expect(refunded.status === 201 && refunded.body.status).toBe('COMPLETE');
    const refundedId = (refunded as ApiResponse<PaymentBody>).body.id;
    await setSandboxFaults(turnstay, { failNext: { count: 1, kind: 'timeout', phase: 'after', pathPrefix: '/api/v1/refund' } });
    const turnstayRefund = track(callApi<{ status: string }>(stack.apiUrl, 'POST', `/v1/payments/${refundedId}/refund`, { body: { reason: 'chaos: full refund' } }));
    await waitForHeldRequest(turnstay, (request) => request.path === '/api/v1/refund');

    // 3. A challenge completed by the shopper (the charge happens); the workflow's status confirmation is held.
    const challenged = await postPayment(stack.apiUrl, chaosPaymentBody('turnstay', TEST_CARDS.challenge));
    expect(challenged.status === 201 && challenged.body.status).toBe('PENDING_ACTION');
    const challengedBody = (challenged as ApiResponse<PaymentBody>).body;
    await setSandboxFaults(turnstay, { failNext: { count: 1, kind: 'timeout', phase: 'after', pathPrefix: '/api/v1/payments/intent/' } });
    await completeChallengeSurely(challengedBody.nextAction!.url, 'authenticate');
    await waitForHeldRequest(turnstay, (request) => request.method === 'GET' && request.path.startsWith('/api/v1/payments/intent/'));

    // 4. A new TurnStay payment whose intent creation is processed, its answer held (the merchant's call waits).
    await setSandboxFaults(turnstay, { failNext: { count: 1, kind: 'timeout', phase: 'after', pathPrefix: '/api/v1/payments/intent' } });
    const createdLate = track(postPayment(stack.apiUrl, chaosPaymentBody('turnstay')));
    await waitForHeldRequest(turnstay, (request) => request.method === 'POST' && request.path === '/api/v1/payments/intent');

    // 5. A full refund of a Trustist payment, held the same way.
    const trustistPaid = await postPayment(stack.apiUrl, chaosPaymentBody('trustist'));
    expect(trustistPaid.status === 201 && trustistPaid.body.status).toBe('COMPLETE');
    const trustistPaidId = (trustistPaid as ApiResponse<PaymentBody>).body.id;
    await setSandboxFaults(trustist, { failNext: { count: 1, kind: 'timeout', phase: 'after', pathPrefix: '/v1/payments/' } });
    const trustistRefund = track(callApi<{ status: string }>(stack.apiUrl, 'POST', `/v1/payments/${trustistPaidId}/refund`, { body: {} }));
    await waitForHeldRequest(trustist, (request) => request.path.endsWith('/refunds'));

    // The money has moved at the providers; none of the five answers reached the worker. Kill it and restart it.
    const ledgerBefore = movementsByReference([...(await wholeLedger(turnstay)), ...(await wholeLedger(trustist))]);
    expect(ledgerBefore.get(reservationPaymentId)).toEqual({ charges: 1, refunds: 0, refundedMinor: 0 });
    expect(ledgerBefore.get(refundedId)?.refunds).toBe(1);
    expect(ledgerBefore.get(challengedBody.id)?.charges).toBe(1);
    expect(ledgerBefore.get(trustistPaidId)?.refunds).toBe(1);
    // And none of the five has moved on: each is still waiting for its call's answer when the kill lands.
    expect(settledBeforeKill).toBe(0);
    const waiting = await Promise.all([
      callApi<{ status: string }>(stack.apiUrl, 'GET', `/v1/reservations/${booked.body.id}`),
      callApi<PaymentBody>(stack.apiUrl, 'GET', `/v1/payments/${refundedId}`),
      callApi<PaymentBody>(stack.apiUrl, 'GET', `/v1/payments/${challengedBody.id}`),
      callApi<PaymentBody>(stack.apiUrl, 'GET', `/v1/payments/${trustistPaidId}`),
    ]);
    // The reservation does nothing at the due time (its charge's payment was created ahead): SCHEDULED until that payment reports.
    expect(waiting.map((response) => response.body.status)).toEqual(['SCHEDULED', 'COMPLETE', 'PENDING_ACTION', 'COMPLETE']);
    const killedAt = Date.now();
    await stack.kill(stack.workers[0]!);
    await stack.startWorker();

    const [reservation, challengedDone, turnstayRefundDone, createdLateDone, trustistRefundDone] = await Promise.all([
      waitForReservation(stack.apiUrl, booked.body.id, (current) => current.status === 'PAID', 120_000).then((done) => (finishedAt.push(done.at), done.reservation)),
      waitForFinishedPayment(stack.apiUrl, challengedBody.id, 120_000).then((done) => (finishedAt.push(done.at), done.payment)),
      turnstayRefund,
      createdLate,
      trustistRefund,
    ]);
    expect(reservation.status).toBe('PAID');
    expect(challengedDone.status).toBe('COMPLETE');
    // A refund answers with the refund: SUCCEEDED, or PENDING (202) when the restart took longer than the refund
    // budget; either way its payment then shows the whole amount refunded.
    const refundAnswer = (done: ApiResponse<{ status: string }>) => [done.status, done.body.status];
    expect([[200, 'SUCCEEDED'], [202, 'PENDING']]).toContainEqual(refundAnswer(turnstayRefundDone));
    // 202 when the restart took longer than PAYMENT_ANSWER_WITHIN_MS: the merchant then reads the outcome.
    expect([201, 202]).toContain(createdLateDone.status);
    const createdLateBody = await answeredPayment(stack.apiUrl, createdLateDone as ApiResponse<PaymentBody>, 120_000);
    expect(createdLateBody.status).toBe('COMPLETE');
    expect([[200, 'SUCCEEDED'], [202, 'PENDING']]).toContainEqual(refundAnswer(trustistRefundDone));
    const refundedPayments = await Promise.all(
      [refundedId, trustistPaidId].map((id) =>
        waitUntil(`payment ${id} to show the refund`, async () => {
          const current = await callApi<PaymentBody>(stack.apiUrl, 'GET', `/v1/payments/${id}`);
          return current.body.status === 'REFUNDED' ? current.body.status : undefined;
        }, 120_000, 250),
      ),
    );
    expect(refundedPayments).toEqual(['REFUNDED', 'REFUNDED']);

    const after = movementsByReference([...(await wholeLedger(turnstay)), ...(await wholeLedger(trustist))]);
    const expected: [string, { charges: number; refunds: number }][] = [
      [reservationPaymentId, { charges: 1, refunds: 0 }],
      [refundedId, { charges: 1, refunds: 1 }],
      [challengedBody.id, { charges: 1, refunds: 0 }],
      [createdLateBody.id, { charges: 1, refunds: 0 }],
      [trustistPaidId, { charges: 1, refunds: 1 }],
    ];
    const movedTwice = expected.filter(([reference]) => (after.get(reference)?.charges ?? 0) > 1 || (after.get(reference)?.refunds ?? 0) > 1).length;
    for (const [reference, movements] of expected) expect({ reference, ...movements }).toEqual({ reference, charges: after.get(reference)?.charges, refunds: after.get(reference)?.refunds ?? 0 });
    rows.push({
      scenario: 'worker SIGKILL after the provider processed 5 calls',
      started: 5,
      finished: 5,
      chargedTwice: movedTwice,
      stuck: 0,
      recoverySeconds: seconds(killedAt, Math.max(...finishedAt)),
      notes: 'held: token charge (reservation), TurnStay refund, status confirm, intent create, Trustist refund; worker restarted at once',
    });
  }, 240_000);

  test('two workers on one task queue, one SIGKILLed under load: none stuck, none charged twice', async () => {
    await stack.startWorker();
    const victim = stack.workers.at(-2)!;
    // Provider latency keeps calls in flight when the kill lands.
    await Promise.all([setSandboxFaults(stack.turnstay.apiUrl, { latencyMs: 250 }), setSandboxFaults(stack.trustist.apiUrl, { latencyMs: 250 })]);
    const total = 60;
    const killAfter = 25;
    const plan = Array.from({ length: total }, (_, index) => {
      const kind = index % 10;
      const card = kind < 7 ? TEST_CARDS.frictionless : kind === 7 ? TEST_CARDS.challenge : kind === 8 ? TEST_CARDS.declined : TEST_CARDS.insufficientFunds;
      return chaosPaymentBody(index % 2 === 0 ? 'turnstay' : 'trustist', card, 10_000 + index);
    });
    const outcomes = new Map<string, PaymentOutcome>();
    let startedCount = 0;
    let killedAt = 0;
    let killing: Promise<void> | undefined;

    await inParallel(plan, 12, async (body) => {
      const id = `payment-merchant1-${body.reference}`;
      const record: PaymentOutcome = { startedAt: Date.now(), card: body.card.number };
      outcomes.set(id, record);
      startedCount += 1;
      if (startedCount === killAfter) {
        killedAt = Date.now();
        killing = stack.kill(victim);
      }
      const response = await postPayment(stack.apiUrl, body);
      if (response.status !== 201 && response.status !== 202) throw new Error(`payment ${id} answered ${response.status}: ${JSON.stringify(response)}`);
      let payment = await answeredPayment(stack.apiUrl, response, 120_000);
      if (payment.status === 'PENDING_ACTION') {
        await completeChallengeSurely(payment.nextAction!.url, 'authenticate');
        payment = (await waitForFinishedPayment(stack.apiUrl, id, 120_000).catch(() => ({ payment }))).payment;
      }
      if (FINISHED_PAYMENT.includes(payment.status)) record.finishedAt = Date.now();
      record.status = payment.status;
      if (payment.failure) record.failure = `${payment.failure.code}: ${payment.failure.message}`;
    });
    await killing;
    expect(victim.process.signalCode).toBe('SIGKILL');

    const ledger = movementsByReference([...(await wholeLedger(stack.turnstay.apiUrl)), ...(await wholeLedger(stack.trustist.apiUrl))]);
    const all = [...outcomes.entries()];
    const chargedTwice = all.filter(([id]) => (ledger.get(id)?.charges ?? 0) > 1);
    const stuck = all.filter(([, outcome]) => outcome.finishedAt === undefined);
    const wrong = all.filter(([id, outcome]) => {
      const charges = ledger.get(id)?.charges ?? 0;
      const approved = outcome.card === TEST_CARDS.frictionless || outcome.card === TEST_CARDS.challenge;
      return approved ? outcome.status !== 'COMPLETE' || charges !== 1 : outcome.status !== 'DECLINED' || charges !== 0;
    });
    const inFlightAtKill = all.filter(([, outcome]) => outcome.startedAt <= killedAt);
    const recoveredAt = Math.max(...inFlightAtKill.map(([, outcome]) => outcome.finishedAt ?? Date.now()));
    rows.push({
      scenario: 'two workers, one SIGKILLed under load',
      started: total,
      finished: total - stuck.length,
      chargedTwice: chargedTwice.length,
      stuck: stuck.length,
      recoverySeconds: seconds(killedAt, recoveredAt),
      notes: `kill after ${killAfter} of ${total} started (12 concurrent, 250 ms provider latency); survivor took over, no restart`,
    });
    expect(stuck.map(([id]) => id)).toEqual([]);
    expect(chargedTwice.map(([id]) => id)).toEqual([]);
    // Calls that were running on the killed worker are retried once its heartbeats stop (10 s), not after their
    // 30 s start-to-close timeout: without heartbeats this took 31 s.
    expect(seconds(killedAt, recoveredAt)).toBeLessThan(25);
    expect(wrong.map(([id, outcome]) => `${id} ${outcome.status} charges=${ledger.get(id)?.charges ?? 0} ${outcome.failure ?? ''}`)).toEqual([]);
    await Promise.all([setSandboxFaults(stack.turnstay.apiUrl, {}), setSandboxFaults(stack.trustist.apiUrl, {})]);
  }, 240_000);
});
