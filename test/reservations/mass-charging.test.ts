import { randomUUID } from 'node:crypto';
import { peakPerSecond } from '../../bench/stats';
import { inParallel } from '../../infra/in-parallel';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { callApi } from '../support/merchant-client';
import { ledger } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { waitUntil } from '../support/wait-until';

// The cluster books and charges at about half the dev server's rate on 2 cores (npm run bench): a smaller herd keeps
// its run within the same time while the 50 calls/s limit still binds (2 calls per charge).
const RESERVATIONS = Number(process.env.MASS_RESERVATIONS ?? (process.env.TEST_TOPOLOGY === 'cluster' ? 400 : 1_000));
const CALLS_PER_SECOND = 50;

describe('mass charging', () => {
  let stack: ApiStack;

  beforeAll(async () => {
    stack = await startApiStack({ providerCallsPerSecond: { turnstay: CALLS_PER_SECOND } });
  });
  afterAll(() => stack?.close());

  test(`${RESERVATIONS} reservations due at the same moment: the provider limit of ${CALLS_PER_SECOND} calls/s holds, each charged once`, async () => {
    const prefix = `mass-${randomUUID().slice(0, 8)}`;
    const book = (reference: string, checkinAt: string, amountMinor: number) =>
      callApi<{ id: string; status: string }>(stack.baseUrl, 'POST', '/v1/reservations', {
        body: {
          provider: 'turnstay',
          amountMinor,
          currency: 'GBP',
          reference,
          card: testCard(TEST_CARDS.frictionless),
          stay: { checkinAt, checkoutAt: new Date(Date.parse(checkinAt) + 86_400_000).toISOString() },
          policy: { kind: 'on_checkin' },
        },
      });
    // Calibrate on this machine: all must be asleep before the shared moment, however busy the machine is.
    const calibrationStarted = Date.now();
    const calibration = [...Array(32).keys()];
    await inParallel(calibration, 16, async (index) => {
      const response = await book(`${prefix}-calibration-${index}`, new Date(Date.now() + 30 * 86_400_000).toISOString(), 100);
      expect(response.status).toBe(201);
      await callApi(stack.baseUrl, 'POST', `/v1/reservations/${response.body.id}/cancel`, { body: {} });
    });
    const perBookingMs = (Date.now() - calibrationStarted) / calibration.length;
    const checkinAt = new Date(Date.now() + 10_000 + 2 * perBookingMs * RESERVATIONS).toISOString();
    process.stderr.write(`[mass-charging] calibration: ${perBookingMs.toFixed(0)} ms per booking; check-in at ${checkinAt}\n`);

    const booked: string[] = [];
    await inParallel([...Array(RESERVATIONS).keys()], 16, async (index) => {
      const response = await book(`${prefix}-${index}`, checkinAt, 10_000 + index);
      expect(response.status).toBe(201);
      booked.push(response.body.id);
    });
    const bookedAt = Date.now();
    expect(bookedAt).toBeLessThan(Date.parse(checkinAt)); // all were asleep before they fell due

    const query = `WorkflowType = "reservationWorkflow" AND TaskQueue = "${stack.taskQueue}" AND ReservationStatus = "PAID"`;
    let paid = 0;
    await waitUntil(() => `all ${RESERVATIONS} PAID (${paid} were)`, async () => {
      paid = (await stack.client.workflow.count(query)).count;
      return paid === RESERVATIONS || undefined;
    }, Date.parse(checkinAt) + 360_000 - Date.now(), 2_000);

    // Calls made to charge (intent creation and confirmation), from the sandbox's own request log.
    const log = (await (await fetch(`${stack.turnstay.apiUrl}/__sandbox/requests`)).json()) as { requests: { method: string; path: string; at: string }[] };
    const chargeCalls = log.requests
      .filter((request) => request.method === 'POST' && (request.path === '/api/v1/payments/intent' || /\/payment\/intent\/[^/]+\/confirm/.test(request.path)))
      .map((request) => Date.parse(request.at))
      .filter((at) => at >= Date.parse(checkinAt) - 1_000);
    expect(chargeCalls.length).toBeGreaterThanOrEqual(2 * RESERVATIONS);
    const peak = peakPerSecond(chargeCalls);
    const seconds = (Math.max(...chargeCalls) - Math.min(...chargeCalls)) / 1_000;
    process.stderr.write(`[mass-charging] ${RESERVATIONS} reservations, ${chargeCalls.length} charge calls over ${seconds.toFixed(1)} s, peak ${peak} calls in any 1 s window (limit ${CALLS_PER_SECOND}/s)\n`);
    expect(peak).toBeLessThanOrEqual(CALLS_PER_SECOND);

    // Exactly once: every reservation's charge appears once in the ledger.
    const sample = booked.slice(0, 100);
    for (const id of sample) {
      // The charge's payment as the merchant sees it on the reservation.
      const reservation = await callApi<{ charges: { paymentIds: string[] }[] }>(stack.baseUrl, 'GET', `/v1/reservations/${id}`);
      const paymentIds = reservation.body.charges.flatMap((charge) => charge.paymentIds);
      expect(paymentIds).toHaveLength(1);
      const entries = await ledger(stack.turnstay.apiUrl, paymentIds[0] as string);
      expect(entries.filter((entry) => entry.type === 'charge')).toHaveLength(1);
    }
    const all = (await (await fetch(`${stack.turnstay.apiUrl}/__sandbox/ledger`)).json()) as { entries: { type: string; reference: string }[] };
    const charged = all.entries.filter((entry) => entry.type === 'charge' && entry.reference.includes(prefix) && !entry.reference.includes('calibration'));
    expect(charged).toHaveLength(RESERVATIONS);
    expect(new Set(charged.map((entry) => entry.reference)).size).toBe(RESERVATIONS);
  }, 1_200_000);
});
