import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { countCharges } from '../charge-counts';
import type { BenchContext } from '../context';
import type { Topology } from '../../infra/temporal-topology';
import { aggregatePhases, countTimeouts, fetchEvents, paymentPhases, timerToTaskMs } from '../history';
import { bookReservation, type PaymentSample } from '../drivers';
import { requestJson } from '../http';
import { inParallel } from '../../infra/in-parallel';
import { sleep } from '../load';
import { ProcessSampler, readRole, round, type ProcessUsage, type Role } from '../proc-stats';
import { describeStoreOperations, readStoreOperations, storeOperationsPerUnit, type StoreOperationsPerUnit } from '../server-store-operations';
import { MERCHANT_ID } from '../stack';
import { describeServerWork, evenSample, sampleServerWork, type SampledServerWork } from '../sampled-server-work';
import { serverWork } from '../state-transitions';
import { peakPerSecond, summarize, type LatencySummary } from '../stats';
import { paymentWorkflowId } from '../../api/start-payment';
import { reservationWorkflowId } from '../../api/start-reservation';

const MiB = 2 ** 20;
/**
 * Bookings per second to size the lead with when scenario 3 did not run (`--only=waiting`): below what this 2-core
 * machine booked alone (dev 21-27/s, cluster 12.6-15.6/s), so all are booked before they fall due.
 */
const UNMEASURED_BOOKING_RATE: Record<Topology, number> = { dev: 20, cluster: 10 };
/** --asleep-only: check-in far enough out that nothing falls due while the bench runs. */
const ASLEEP_ONLY_LEAD_MS = 30 * 86_400_000;

export interface WaitingResult {
  reservations: number;
  callsPerSecondLimit: number;
  booking: {
    seconds: number;
    perSecond: number;
    errors: number;
    latencyMs: LatencySummary;
    concurrency: number;
    processes: Partial<Record<Role, ProcessUsage>>;
    /** The Temporal server's store operations per booking, by its own count (absent before 2026-12-06T05). */
    storeOperationsPerBooking?: StoreOperationsPerUnit;
    /** Each process's memory (as in `asleep`) after every tenth of the bookings: what one more sleeper costs (absent before 2026-12-03T18). */
    memoryByBooked?: { booked: number; memoryMiB: Partial<Record<Role, number>> }[];
  };
  /** Seconds between the last booking and the moment all fell due: all of them were asleep at once. */
  asleepTogetherSeconds: number;
  allAsleepBeforeDue: boolean;
  /** Before the first booking: each process's RSS with no workflow (the worker's floor). */
  idleMemoryMiB?: Partial<Record<Role, number>>;
  asleep: {
    scheduledByVisibility: number;
    /** Per process: RSS, or PSS summed over PostgreSQL's processes. */
    memoryMiB: Partial<Record<Role, number>>;
    /** The server's storage (storage-size.ts): SQLite file + WAL, or both PostgreSQL databases. */
    storageMiB: number;
    storagePartsMiB: Record<string, number>;
    /** Storage now minus storage of the fresh server, per reservation. */
    bytesPerReservation: number;
    /** Booked reservations' server work so far (30 histories): a merchant event that missed its quick path is an activity. */
    bookingServerWork?: SampledServerWork;
  };
  /** Absent with --asleep-only (no drain). */
  charging?: {
    /** Due instant to the last charge in the sandbox ledger. */
    lastChargeSeconds: number;
    /** Due instant to the first charge (the charge's payment leaving its start delay; before issue 17's charges scheduled ahead, the reservation's timer firing and starting it). */
    firstChargeSeconds: number;
    /** Due instant to visibility showing every reservation PAID (polled every 2 s). */
    allPaidSeconds: number;
    chargesPerSecond: number;
    /** Intent creations + confirmations in the busiest one-second window, from the sandbox's request log. */
    peakProviderCallsPerSecond: number;
    /** Reservations charged (distinct references in the ledger). */
    charged: number;
    /** Reservations charged more than once (absent in results from before 2026-12-02T12). */
    chargedTwice?: number;
    chargedOnce: boolean;
    workerRssMaxMiB: number;
    processes: Partial<Record<Role, ProcessUsage>>;
    /** The Temporal server's store operations per charge, due instant to all PAID, by its own count (absent before 2026-12-06T05). */
    storeOperationsPerCharge?: StoreOperationsPerUnit;
    /** From up to 50 reservations spread over the set: timer fired to the worker picking the reservation up (none fires since charges are scheduled ahead: the charge's anatomy has its payment's first task, queued from the due instant). */
    timerToWorkflowTaskMs: LatencySummary;
    /** The same reservations' charges (their payment workflows), phase by phase (ms). */
    chargeAnatomy: Record<string, { p50: number; mean: number }>;
    /** Timeouts in those reservations' and charges' histories (an overloaded worker shows up here). */
    sampledTimeouts: Record<string, number>;
    /** Server work of the sampled reservations and of their charges, from their histories (p50 and mean each). */
    serverWork: { reservation: Record<string, { p50: number; mean: number }>; charge: Record<string, { p50: number; mean: number }> };
  };
  wallSeconds: number;
}

/**
 * Scenario 4: N reservations (TurnStay, on_checkin) booked through POST /v1/reservations, all due at one instant a
 * bit ahead; measured while all sleep (memory, storage) and while they are charged under the provider limit.
 */
export async function runWaiting(ctx: BenchContext): Promise<WaitingResult> {
  const { options } = ctx;
  const count = options.reservations;
  const { stack } = await ctx.startStack('waiting', { TURNSTAY_CALLS_PER_SECOND: String(options.callsPerSecond) });
  const connection = await Connection.connect({ address: stack.temporal.address });
  const client = new Client({ connection, namespace: stack.temporal.namespace });
  const started = performance.now();
  try {
    const empty = stack.storageSize();
    const idleMemoryMiB = memoryNow(stack.pids());
    // Check-in must come after the last booking. Bookings ran 1.7 times as fast as scenario 3's best payment rate on
    // the 2-core machine this was written on: 1.3 times leaves a margin. --booking-rate or --waiting-lead-seconds override.
    const bookingRate = options.bookingRate || (ctx.measuredPaymentsPerSecond ? ctx.measuredPaymentsPerSecond * 1.3 : UNMEASURED_BOOKING_RATE[ctx.topology]);
    const leadMs = options.asleepOnly
      ? ASLEEP_ONLY_LEAD_MS
      : options.waitingLeadSeconds
        ? options.waitingLeadSeconds * 1_000
        : Math.ceil((count / bookingRate) * 1_000) + 20_000;
    const dueAt = Date.now() + leadMs;
    const checkinAt = new Date(dueAt).toISOString();
    const checkoutAt = new Date(dueAt + 86_400_000).toISOString();
    const prefix = `wait-${randomUUID().slice(0, 8)}`;
    ctx.log(`waiting: booking ${count} reservations (${options.bookingConcurrency} at a time), all due at ${checkinAt} (in ${round(leadMs / 1_000, 0)} s, assuming ${round(bookingRate)} bookings/s)`);

    const { metricsUrl } = stack.temporal;
    const storeBeforeBooking = await readStoreOperations(metricsUrl);
    const bookingSampler = new ProcessSampler(() => stack.pids());
    bookingSampler.start();
    const bookingStarted = performance.now();
    const samples: PaymentSample[] = [];
    let lastReport = Date.now();
    const memoryByBooked: { booked: number; memoryMiB: Partial<Record<Role, number>> }[] = [];
    const memoryStep = Math.max(1, Math.floor(count / 10));
    await inParallel(Array.from({ length: count }), options.bookingConcurrency, async (_, index) => {
      samples.push(await bookReservation(stack, `${prefix}-${index}`, checkinAt, checkoutAt));
      if (samples.length % memoryStep === 0) memoryByBooked.push({ booked: samples.length, memoryMiB: memoryNow(stack.pids()) });
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        ctx.log(`waiting: ${samples.length} booked, ${round(samples.length / ((performance.now() - bookingStarted) / 1_000))}/s; worker RSS ${memoryByBooked.at(-1)?.memoryMiB.worker ?? '-'} MiB`);
      }
    });
    const bookingSeconds = (performance.now() - bookingStarted) / 1_000;
    const bookedAt = Date.now();
    const bookingProcesses = bookingSampler.stop();
    const storeAfterBooking = await readStoreOperations(metricsUrl);
    if (bookedAt >= dueAt) ctx.log(`waiting: WARNING the last booking came ${round((bookedAt - dueAt) / 1_000)} s after check-in: not all were asleep at once (raise --waiting-lead-seconds)`);
    const failed = samples.filter((sample) => !sample.ok);
    if (failed.length) ctx.log(`waiting: ${failed.length} bookings failed, e.g. ${failed[0]?.outcome}`);
    const booking = {
      seconds: round(bookingSeconds),
      perSecond: round(samples.length / bookingSeconds),
      errors: failed.length,
      latencyMs: summarize(samples.filter((sample) => sample.ok).map((sample) => sample.ms)),
      concurrency: options.bookingConcurrency,
      processes: bookingProcesses,
      memoryByBooked,
      storeOperationsPerBooking: storeOperationsPerUnit(storeBeforeBooking, storeAfterBooking, samples.length - failed.length),
    };
    ctx.log(`waiting: booked in ${booking.seconds} s (${booking.perSecond}/s, p99 ${booking.latencyMs.p99} ms), ${round((dueAt - bookedAt) / 1_000)} s before they fall due`);

    // All asleep: let the last webhooks and workflow tasks settle (never past the due instant), then measure.
    await sleep(Math.max(0, Math.min(5_000, dueAt - Date.now() - 2_000)));
    const memoryMiB = memoryNow(stack.pids());
    const storage = stack.storageSize();
    const scheduled = (await client.workflow.count(`WorkflowType = "reservationWorkflow" AND ReservationStatus = "SCHEDULED"`)).count;
    const reservationIds = evenSample(Array.from({ length: count }, (_, index) => reservationWorkflowId(MERCHANT_ID, `${prefix}-${index}`)), 30);
    const bookingServerWork = await sampleServerWork(stack.temporal.address, stack.temporal.namespace, reservationIds);
    const asleep = {
      scheduledByVisibility: scheduled,
      memoryMiB,
      storageMiB: round(storage.bytes / MiB),
      storagePartsMiB: Object.fromEntries(Object.entries(storage.parts).map(([part, bytes]) => [part, round(bytes / MiB)])),
      bytesPerReservation: Math.round((storage.bytes - empty.bytes) / count),
      bookingServerWork,
    };
    ctx.log(`waiting: asleep: ${scheduled} SCHEDULED; worker RSS ${memoryMiB.worker} MiB (${idleMemoryMiB.worker} MiB before booking); storage ${asleep.storageMiB} MiB ${JSON.stringify(asleep.storagePartsMiB)}`);
    if (bookingServerWork) ctx.log(`waiting: server work of a booking: ${describeServerWork(bookingServerWork)}`);

    const asleepTogether = { asleepTogetherSeconds: round((dueAt - bookedAt) / 1_000), allAsleepBeforeDue: bookedAt < dueAt };
    if (options.asleepOnly) {
      return { reservations: count, callsPerSecondLimit: options.callsPerSecond, booking, ...asleepTogether, idleMemoryMiB, asleep, wallSeconds: round((performance.now() - started) / 1_000) };
    }
    if (Date.now() < dueAt) await sleep(dueAt - Date.now());
    const storeBeforeDue = await readStoreOperations(metricsUrl);
    const chargeSampler = new ProcessSampler(() => stack.pids());
    chargeSampler.start();
    // Generous: the cluster drained 4-5 charges/s here, and a cut-short drain measures nothing.
    const deadline = dueAt + 120_000 + count * 400;
    let paid = 0;
    let lastLogged = Date.now();
    while (paid < count && Date.now() < deadline && !stack.unexpectedExit) {
      await sleep(2_000);
      paid = (await client.workflow.count(`WorkflowType = "reservationWorkflow" AND ReservationStatus = "PAID"`)).count;
      if (Date.now() - lastLogged > 15_000) {
        lastLogged = Date.now();
        ctx.log(`waiting: ${paid} of ${count} paid after ${round((Date.now() - dueAt) / 1_000, 0)} s`);
      }
    }
    const allPaidAt = Date.now();
    const chargeProcesses = chargeSampler.stop();
    const storeAfterDrain = await readStoreOperations(metricsUrl);
    const ledger = await requestJson<{ entries: { type: string; reference: string; at: string }[] }>('GET', `${stack.turnstay.apiUrl}/__sandbox/ledger`);
    const charges = ledger.body.entries.filter((entry) => entry.type === 'charge' && entry.reference.includes(prefix));
    const chargeTimes = charges.map((entry) => Date.parse(entry.at));
    const requests = await requestJson<{ requests: { method: string; path: string; at: string }[] }>('GET', `${stack.turnstay.apiUrl}/__sandbox/requests`);
    const callTimes = requests.body.requests
      .filter((request) => request.method === 'POST' && (request.path === '/api/v1/payments/intent' || /\/payment\/intent\/[^/]+\/confirm$/.test(request.path)))
      .map((request) => Date.parse(request.at))
      .filter((at) => at >= dueAt - 1_000);
    const sampled = evenSample(Array.from({ length: count }, (_, index) => index), 50);
    const timerLags: number[] = [];
    const chargePhases: Record<string, number>[] = [];
    const sampledHistories = [];
    const reservationWork = [];
    const chargeWork = [];
    for (const index of sampled) {
      const reservation = await fetchEvents(client, reservationWorkflowId(MERCHANT_ID, `${prefix}-${index}`));
      const lag = timerToTaskMs(reservation);
      if (lag !== undefined) timerLags.push(lag);
      const charge = await fetchEvents(client, paymentWorkflowId(MERCHANT_ID, `${prefix}-${index}-c1-a1`)).catch(() => []);
      const phases = paymentPhases(charge);
      if (phases) chargePhases.push(phases);
      sampledHistories.push(reservation, charge);
      reservationWork.push(serverWork(reservation));
      if (charge.length) chargeWork.push(serverWork(charge));
    }
    const lastCharge = chargeTimes.length ? Math.max(...chargeTimes) : Number.NaN;
    const firstCharge = chargeTimes.length ? Math.min(...chargeTimes) : Number.NaN;
    const charging = {
      lastChargeSeconds: round((lastCharge - dueAt) / 1_000),
      firstChargeSeconds: round((firstCharge - dueAt) / 1_000, 2),
      allPaidSeconds: paid >= count ? round((allPaidAt - dueAt) / 1_000) : Number.NaN,
      chargesPerSecond: round(charges.length / ((lastCharge - dueAt) / 1_000)),
      peakProviderCallsPerSecond: peakPerSecond(callTimes),
      ...countCharges(charges.map((entry) => entry.reference), count),
      workerRssMaxMiB: chargeProcesses.worker?.memoryMaxMiB ?? 0,
      processes: chargeProcesses,
      storeOperationsPerCharge: storeOperationsPerUnit(storeBeforeDue, storeAfterDrain, charges.length),
      timerToWorkflowTaskMs: summarize(timerLags),
      chargeAnatomy: aggregatePhases(chargePhases),
      sampledTimeouts: countTimeouts(sampledHistories),
      serverWork: { reservation: aggregatePhases(reservationWork), charge: aggregatePhases(chargeWork) },
    };
    ctx.log(`waiting: ${charges.length} charged, the last ${charging.lastChargeSeconds} s after falling due (peak ${charging.peakProviderCallsPerSecond} provider calls/s)`);
    if (charging.storeOperationsPerCharge) ctx.log(`waiting: store operations per charge: ${describeStoreOperations(charging.storeOperationsPerCharge)}`);
    return {
      reservations: count,
      callsPerSecondLimit: options.callsPerSecond,
      booking,
      ...asleepTogether,
      idleMemoryMiB,
      asleep,
      charging,
      wallSeconds: round((performance.now() - started) / 1_000),
    };
  } finally {
    await connection.close();
    await stack.stop();
  }
}

/** Each process's RSS now (PSS summed over PostgreSQL's processes), in MiB. */
function memoryNow(pids: Partial<Record<Role, number>>): Partial<Record<Role, number>> {
  const memoryMiB: Partial<Record<Role, number>> = {};
  for (const [role, pid] of Object.entries(pids) as [Role, number | undefined][]) {
    const snapshot = pid === undefined ? undefined : readRole(role, pid);
    if (snapshot) memoryMiB[role] = round(snapshot.memoryBytes / MiB, 0);
  }
  return memoryMiB;
}
