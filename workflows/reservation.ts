import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CardVaultActivities } from '../activities/card-vault-activities';
import { NON_RETRYABLE_PAYMENT_FAILURES } from '../activities/payment-failure-types';
import type { PaymentActivities } from '../activities/payment-activities';
import type { ScheduledPaymentActivities } from '../activities/scheduled-payment-activities';
import type { PaymentRequest } from '../domain/payment-request';
import { planCharges, replanDueDates, toInstant } from './charge-plan';
import { describeDuration } from './describe-duration';
import { MerchantEventPublisher } from './merchant-event-emitter';
import {
  cancelOwnedPaymentSignal,
  cancelReservationUpdate,
  changeAmountUpdate,
  changeStayUpdate,
  ownedPaymentChangedSignal,
  reservationBookedUpdate,
  reservationStateQuery,
} from './messages';
import { paymentWorkflow } from './payment';
import { SUPERSEDED_FAILURE_CODE, type CardSource, type PaymentView, type PaymentWorkflowInput, type VaultCardSource } from './payment-types';
import { providerTaskQueue } from './provider-task-queue';
import { CANCEL_REFUND_ID, DEFAULT_REFUND_ANSWER_WITHIN_MS } from './refund-types';
import { reservationEventOf } from './reservation-events';
import type { ReservationInput, ReservationState, ReservationStatus, ReservationView, ScheduledCharge } from './reservation-types';
import { amountChangeRefusal, changeAmount, moveStay, nextDue, nextWake, paidMinor, pendingCharges, settleAttempt, totalMinor, type Wake } from './reservation-transitions';
import { AmountMinorKey, CheckinDateKey, initialPaymentSearchAttributes, ReservationStatusKey } from './search-attributes';
import { WORKER_LIVENESS_TIMEOUT } from './worker-liveness';

const HOUR_MS = 3_600_000;
const DEFAULT_DUNNING_DELAYS_MS = [HOUR_MS, 24 * HOUR_MS, 72 * HOUR_MS];
const FINAL: ReservationStatus[] = ['FAILED', 'CANCELLED', 'REFUNDED', 'COMPLETED'];
/**
 * Since issue 13 each charge's payment workflow stays open and owns the charge's refunds (one owner: the payment,
 * the reservation and the provider agree); histories from before charged through a child that ended at once.
 */
const CHARGES_THROUGH_OWNED_PAYMENTS = 'charges-through-owned-payments';
/**
 * Since issue 13 a cancel waits for the owning payments' refunds only as long as a refund request would
 * (`refundAnswerWithinMs`): past it the reservation shows CANCELLED with the refund pending, answers, and turns
 * REFUNDED in the background. Histories from before waited for the refunds with no deadline.
 */
const CANCEL_ANSWERS_WITHIN_REFUND_BUDGET = 'cancel-answers-within-refund-budget';
/**
 * Versions TurnStay Option A at booking (issue 14): the guest enters the card on the provider's hosted form, which
 * keeps it on file; only the token comes back. Only hosted bookings reach it.
 */
const HOSTED_FORM_PATCH = 'hosted-form';
/**
 * Since issue 17 a charge due later has its payment created when the reservation starts sleeping towards it, the
 * payment's start delayed until the charge is due: at the due time only the payment runs (the reservation runs no
 * timer task and starts no child then) and reports its outcome. A change of plan or a cancellation supersedes it
 * before it runs. Histories from before slept on a timer and started the payment as a child when it fired.
 */
const CHARGES_SCHEDULED_AHEAD = 'charges-scheduled-ahead';
/**
 * How long past its due time a payment scheduled ahead may stay silent before the server is asked about it: about as
 * long as a drain of many charges due at once (100,000 at ~27 charges/s on 2 cores: an hour), so that a reservation
 * whose charge is still queued is not woken for it. It only catches a payment ended by hand (10 minutes before).
 */
const DEFAULT_SCHEDULED_CHARGE_SILENCE_MS = HOUR_MS;
/** The longest silence bound once doubled (see silenceAfter). */
const MAX_SCHEDULED_CHARGE_SILENCE_MS = 24 * HOUR_MS;
/** Status polls while the guest is on the hosted form (the token intent sends no webhook). */
const DEFAULT_HOSTED_FORM_POLL_DELAYS_MS = [5_000, 10_000, 15_000, 30_000];
const DEFAULT_HOSTED_FORM_TIMEOUT_MS = 15 * 60_000;
/** Payment statuses in which the charge's outcome is not known yet. */
const CHARGE_UNSETTLED = ['CREATED', 'SUBMITTED', 'PENDING_ACTION'];


/**
 * A stay booked months ahead: keeps only a provider token for the card, sleeps durably until each charge is due
 * (a timer, not a loop of polls), charges through a child payment workflow per attempt, retries declines on a
 * dunning schedule, follows date/amount changes and cancellation, and continues as new to bound its history.
 */
export async function reservationWorkflow(input: ReservationInput): Promise<ReservationView> {
  const reservation = new ReservationWorkflow(input);
  reservation.listen();
  return reservation.run();
}

const now = () => Date.now();
const at = (instant: number) => new Date(instant).toISOString();

/**
 * The reservation's state and its named transitions (state in a class, as Temporal's safe-message-handlers sample
 * does): booking (card on file or hosted form), the sleep until the next wake, each charge attempt, cancellation
 * with its refunds, and continue-as-new. The plan's own rules are pure functions in reservation-transitions.ts.
 */
class ReservationWorkflow {
  private readonly state: ReservationState;
  private readonly dunningDelays: number[];
  private cancelReason?: string;
  /** The cancellation is in effect but its refunds are still being settled: the cancel update may answer. */
  private refundPending = false;
  private planChanged = false;
  private settled: boolean;
  /** What each owned payment of this run last reported (the charge step waits on it). */
  private readonly latestReports = new Map<string, PaymentView>();
  private readonly events = new MerchantEventPublisher();
  private readonly providerCalls: ReturnType<typeof proxyActivities<PaymentActivities>>;
  /** Local activities (no task of their own): create a charge's payment ahead, supersede it, look it up. */
  private readonly scheduledPayments = proxyLocalActivities<ScheduledPaymentActivities>({
    startToCloseTimeout: '10s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });

  constructor(private readonly input: ReservationInput) {
    this.dunningDelays = input.dunningDelaysMs ?? DEFAULT_DUNNING_DELAYS_MS;
    this.state = carriedState(input) ?? {
      status: 'BOOKING',
      stay: input.initial.stay,
      charges: planCharges(input.policy, input.initial.amountMinor, input.initial.stay, now()).map((charge) => ({
        ...charge,
        status: 'PENDING',
        attempts: 0,
        paymentIds: [],
        refundedMinor: 0,
      })),
      transitions: [{ status: 'BOOKING', at: at(now()) }],
    };
    this.settled = FINAL.includes(this.state.status);
    this.providerCalls = proxyActivities<PaymentActivities>({
      taskQueue: providerTaskQueue(workflowInfo().taskQueue, input.provider),
      startToCloseTimeout: '30s',
      heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
      scheduleToCloseTimeout: '10m',
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES },
    });
  }

  view(): ReservationView {
    const { state, input } = this;
    const next = pendingCharges(state.charges)[0];
    return {
      ...state,
      amountMinor: totalMinor(state.charges),
      // A scheduled payment's report is the reservation's business until it has taken it in.
      charges: state.charges.map(({ scheduled, supersededPaymentIds, ...charge }) => ({
        ...charge,
        ...(scheduled ? { scheduled: { paymentId: scheduled.paymentId, at: scheduled.at, amountMinor: scheduled.amountMinor } } : {}),
        ...(supersededPaymentIds ? { supersededPaymentIds: [...supersededPaymentIds] } : {}),
      })),
      transitions: [...state.transitions],
      paymentMethodToken: undefined,
      reservationId: input.reservationId,
      merchantId: input.merchantId,
      reference: input.reference,
      provider: input.provider,
      currency: input.currency,
      card: state.card ?? input.card,
      policy: input.policy,
      nextChargeAt: next && !FINAL.includes(state.status) ? at(nextDue(next)) : undefined,
      paidMinor: paidMinor(state.charges),
      refundedMinor: state.charges.reduce((sum, charge) => sum + charge.refundedMinor, 0),
      refundPending: this.refundPending,
    };
  }

  private moveTo(status: ReservationStatus, note?: string): void {
    const { state } = this;
    if (state.status === status && !note) return;
    const changed = state.status !== status;
    state.status = status;
    state.transitions.push({ status, at: at(now()), ...(note ? { note } : {}) });
    // A stay with many changes must not grow its history without bound: keep the latest transitions.
    if (state.transitions.length > 100) state.transitions.splice(0, state.transitions.length - 100);
    upsertSearchAttributes([{ key: ReservationStatusKey, value: status }]);
    if (changed) this.publishEvent();
  }

  /** The merchant hears of the status changes it acts on (see reservationEventOf). */
  private publishEvent(): void {
    const current = this.view();
    const sequence = (this.state.eventSequence ?? 0) + 1;
    const event = reservationEventOf(current, sequence);
    if (event && this.events.emit(this.input.merchantId, sequence, event.type, event.data)) this.state.eventSequence = sequence;
  }

  private waitFor(description: string): void {
    setCurrentDetails(`Waiting for ${description}`);
  }

  /** A stay can collect changes for months: past a size, carry the state into a fresh run with a short history. */
  private historyTooLong(): boolean {
    return workflowInfo().continueAsNewSuggested || (this.input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= this.input.continueAsNewAfterEvents);
  }

  private requireOpen(): void {
    if (FINAL.includes(this.state.status)) throw new Error(`reservation is already ${this.state.status}`);
  }

  /** Queries, signals and updates: the merchant's changes and cancellation, and the reports of the charges' payments. */
  listen(): void {
    const { state, input } = this;
    setHandler(reservationStateQuery, () => this.view());
    setHandler(ownedPaymentChangedSignal, (payment) => {
      this.latestReports.set(payment.paymentId, payment);
      // Kept in the state, which continue-as-new carries, until the run takes it in (takeScheduledReport).
      const scheduled = state.charges.find((candidate) => candidate.scheduled?.paymentId === payment.paymentId)?.scheduled;
      if (scheduled) scheduled.report = payment;
      const charge = state.charges.find((candidate) => candidate.paymentIds.at(-1) === payment.paymentId);
      if (charge?.refundsOwnedByPayment) mirrorOwnedPayment(charge, payment);
    });
    setHandler(reservationBookedUpdate, async () => {
      // Charge now: answer with the charge's outcome; otherwise as soon as the card is on file and the plan set.
      const answered: ReservationStatus[] = input.policy.kind === 'charge_now' ? ['BOOKING', 'SCHEDULED', 'CHARGING'] : ['BOOKING'];
      // A hosted form: answer with its URL, the guest enters the card there.
      await condition(() => !answered.includes(state.status) || state.nextAction !== undefined);
      return { reservation: this.view(), startRequestId: input.startRequestId };
    });
    setHandler(
      changeStayUpdate,
      async (change) => {
        moveStay(state, input.policy, change, now());
        upsertSearchAttributes([{ key: CheckinDateKey, value: new Date(toInstant(change.checkinAt)) }]);
        this.moveTo(state.status, `stay moved to ${change.checkinAt} – ${change.checkoutAt}`);
        this.planChanged = true;
        return this.view();
      },
      {
        validator: (change) => {
          this.requireOpen();
          const checkin = toInstant(change.checkinAt);
          const checkout = toInstant(change.checkoutAt);
          if (Number.isNaN(checkin) || Number.isNaN(checkout)) throw new Error('checkinAt and checkoutAt must be ISO dates');
          if (checkout <= checkin) throw new Error('check-out must be after check-in');
          if (checkin < now()) throw new Error('check-in cannot be in the past');
          for (const [id, dueAt] of replanDueDates(input.policy, state.charges, change, now())) {
            if (toInstant(dueAt) < now()) throw new Error(`the charge date of ${id} would be in the past (${dueAt})`);
          }
        },
      },
    );
    setHandler(
      changeAmountUpdate,
      async ({ amountMinor }) => {
        changeAmount(state.charges, amountMinor);
        upsertSearchAttributes([{ key: AmountMinorKey, value: amountMinor }]);
        this.moveTo(state.status, `amount changed to ${amountMinor} ${input.currency}`);
        this.planChanged = true;
        return this.view();
      },
      {
        validator: ({ amountMinor }) => {
          this.requireOpen();
          const refusal = amountChangeRefusal(state.charges, amountMinor);
          if (refusal) throw new Error(refusal);
          const last = pendingCharges(state.charges).at(-1);
          if (last && this.chargeUnderway(last)) throw new Error(`the ${last.label} charge is being made; change the amount once it has settled`);
        },
      },
    );
    setHandler(
      cancelReservationUpdate,
      async ({ reason }) => {
        this.cancelReason ??= reason;
        // Answers once the reservation is settled, or cancelled with its refund still with the provider (202).
        await condition(() => this.settled || this.refundPending);
        return this.view();
      },
      {
        validator: ({ reason }) => {
          if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 200) throw new Error('reason must be 1 to 200 characters');
          this.requireOpen();
        },
      },
    );
  }

  private chargeRequest(charge: ScheduledCharge, paymentId: string): PaymentRequest {
    const { state, input } = this;
    return {
      paymentId,
      merchantId: input.merchantId,
      reference: `${input.reference}-${charge.id}`,
      provider: input.provider,
      amountMinor: charge.amountMinor,
      currency: input.currency,
      description: `${charge.label} for reservation ${input.reference}`,
      payerEmail: input.payerEmail,
      payerPhone: input.payerPhone,
      checkinDate: at(toInstant(state.stay.checkinAt)).slice(0, 10),
      checkoutDate: at(toInstant(state.stay.checkoutAt)).slice(0, 10),
      card: state.card ?? input.card,
    };
  }

  /** A charge whose payment may be calling the provider now: its amount can no longer change. */
  private chargeUnderway(charge: ScheduledCharge): boolean {
    const { scheduled } = charge;
    if (scheduled) return (scheduled.report !== undefined && !wasSuperseded(scheduled.report)) || toInstant(scheduled.at) <= now();
    return this.state.status === 'CHARGING' && pendingCharges(this.state.charges)[0] === charge;
  }

  private ownedPaymentInput(charge: ScheduledCharge, paymentId: string, cardSource: CardSource): PaymentWorkflowInput {
    const { input } = this;
    return {
      request: this.chargeRequest(charge, paymentId),
      cardSource,
      startRequestId: paymentId,
      timing: input.paymentTiming,
      owner: { reservationId: input.reservationId },
      ...(input.providerLabel ? { providerLabel: input.providerLabel } : {}),
    };
  }

  /** The card a scheduled payment charges: the provider's token kept at booking (charges are scheduled ahead only then). */
  private get tokenOnFile(): CardSource {
    return { kind: 'token', paymentMethodToken: this.state.paymentMethodToken as string };
  }

  private get silenceMs(): number {
    return this.input.paymentTiming?.scheduledChargeSilenceMs ?? DEFAULT_SCHEDULED_CHARGE_SILENCE_MS;
  }

  /**
   * The silence bound after `lookUps` lookups that found the payment still running, doubled each time: a payment
   * queued behind a backlog of due charges (100,000 falling due at once take about an hour to drain) or retrying at its
   * provider is not asked after at every bound, each lookup a workflow task queued behind that same backlog.
   */
  private silenceAfter(lookUps: number): number {
    return Math.min(this.silenceMs * 2 ** lookUps, MAX_SCHEDULED_CHARGE_SILENCE_MS);
  }

  /** Whether the charge the reservation sleeps towards runs as a payment scheduled ahead (a card on file is needed). */
  private runsScheduledAhead(charge: ScheduledCharge, remainingMs: number): boolean {
    return charge.scheduled !== undefined || (remainingMs > 0 && this.state.paymentMethodToken !== undefined && patched(CHARGES_SCHEDULED_AHEAD));
  }

  /**
   * Sleeps towards a charge whose payment is created ahead (now, unless it was already), its start delayed until the
   * charge is due: until it reports, woken early by a cancellation, a change of plan or a history grown too long. A
   * payment scheduled for a plan that has changed since is superseded first; one silent long past its due time is
   * looked up (see hearFrom).
   */
  private async chargeScheduledAhead(charge: ScheduledCharge, wake: Wake): Promise<'next' | 'continue-as-new'> {
    const planned = charge.scheduled;
    if (planned && !planned.report && (toInstant(planned.at) !== wake.at || planned.amountMinor !== charge.amountMinor)) {
      await this.withdrawScheduled(charge, 'the charge was replanned');
      return 'next';
    }
    const scheduled = planned ?? (await this.scheduleAhead(charge, wake.at));
    const heard = () => scheduled.report !== undefined;
    const silenceMs = this.silenceAfter(scheduled.lookUps ?? 0);
    const woken = await condition(() => heard() || this.cancelReason !== undefined || this.planChanged || this.historyTooLong(), Math.max(wake.at - now(), 0) + silenceMs, {
      summary: wake.summary,
    });
    this.planChanged = false;
    if (woken && !heard()) return this.historyTooLong() && this.cancelReason === undefined ? 'continue-as-new' : 'next';
    if (!heard()) {
      // Silent past its due time and the silence bound: one still running is waited for again (the next turn).
      const found = await this.lookUp(scheduled.paymentId, heard);
      if (found === 'running') {
        scheduled.lookUps = (scheduled.lookUps ?? 0) + 1;
        return 'next';
      }
      if (found === 'silent') scheduled.report = endedWithoutReport(scheduled.paymentId);
    }
    await this.takeScheduledReport(charge);
    return 'next';
  }

  /** Creates the charge's next attempt as a payment whose start is delayed until `dueAt`. */
  private async scheduleAhead(charge: ScheduledCharge, dueAt: number): Promise<NonNullable<ScheduledCharge['scheduled']>> {
    const { input } = this;
    const attempt = charge.attempts + 1;
    const superseded = charge.supersededPaymentIds?.length ?? 0;
    // Ids are never reused: the successor of a superseded payment gets an id of its own.
    const paymentId = `payment-${input.merchantId}-${input.reference}-${charge.id}-a${attempt}${superseded > 0 ? `-r${superseded}` : ''}`;
    const scheduled = { paymentId, at: at(dueAt), amountMinor: charge.amountMinor };
    charge.scheduled = scheduled;
    await this.scheduledPayments.scheduleOwnedPayment({
      input: this.ownedPaymentInput(charge, paymentId, this.tokenOnFile),
      taskQueue: workflowInfo().taskQueue,
      startDelayMs: dueAt - now(),
      staticSummary: `${charge.label} charge of reservation ${input.reference}, attempt ${attempt}, scheduled for ${at(dueAt)}`,
      listedAs: { provider: input.provider, reference: input.reference, merchantId: input.merchantId, amountMinor: charge.amountMinor, currency: input.currency },
    });
    return scheduled;
  }

  /**
   * Supersedes the charge's scheduled payment and hears from it: superseded before it ran (nothing charged; the plan
   * schedules the charge again), or it had started, and its outcome settles the attempt as any other would.
   */
  private async withdrawScheduled(charge: ScheduledCharge, reason: string): Promise<void> {
    const scheduled = charge.scheduled as NonNullable<ScheduledCharge['scheduled']>;
    const heard = () => scheduled.report !== undefined;
    if (!heard()) {
      this.waitFor(`payment ${scheduled.paymentId}, scheduled ahead, to stand down (${reason})`);
      await this.scheduledPayments.supersedeScheduledPayment({
        input: this.ownedPaymentInput(charge, scheduled.paymentId, this.tokenOnFile),
        taskQueue: workflowInfo().taskQueue,
        reason,
      });
      if (!(await this.hearFrom(scheduled.paymentId, heard))) scheduled.report = endedWithoutReport(scheduled.paymentId);
    }
    await this.takeScheduledReport(charge);
  }

  /** Waits until `heard()`, looking the payment up after each silence bound (see lookUp, silenceAfter); false: it ended silent. */
  private async hearFrom(paymentId: string, heard: () => boolean): Promise<boolean> {
    for (let lookUps = 0; ; lookUps += 1) {
      if (await condition(heard, this.silenceAfter(lookUps), { summary: `Wait for payment ${paymentId} to report` })) return true;
      const found = await this.lookUp(paymentId, heard);
      if (found !== 'running') return found === 'heard';
    }
  }

  /** Asks the server about a silent payment: still running, or ended (by hand, or never created) and then heard from within one more wait for a report on its way, or not. */
  private async lookUp(paymentId: string, heard: () => boolean): Promise<'running' | 'heard' | 'silent'> {
    const payment = await this.scheduledPayments.describeOwnedPayment({ paymentId });
    if (payment.running) return 'running';
    return (await condition(heard, this.silenceMs, { summary: `Wait for a report from payment ${paymentId}, ${payment.status}` })) ? 'heard' : 'silent';
  }

  /** The scheduled payment has reported: superseded before it ran, or it ran and is the charge's next attempt. */
  private async takeScheduledReport(charge: ScheduledCharge): Promise<void> {
    const { state, input, latestReports } = this;
    const { paymentId, report } = charge.scheduled as Required<NonNullable<ScheduledCharge['scheduled']>>;
    charge.scheduled = undefined;
    if (wasSuperseded(report)) {
      (charge.supersededPaymentIds ??= []).push(paymentId);
      return;
    }
    charge.attempts += 1;
    charge.paymentIds.push(paymentId);
    charge.refundsOwnedByPayment = true;
    latestReports.set(paymentId, report);
    if (report.refunds) mirrorOwnedPayment(charge, report);
    let outcome: PaymentView = report;
    if (CHARGE_UNSETTLED.includes(report.status)) {
      this.moveTo('CHARGING', `${charge.label} ${charge.amountMinor} ${input.currency}, attempt ${charge.attempts}`);
      this.waitFor(`the ${charge.label} charge (payment ${paymentId})`);
      const settled = () => !CHARGE_UNSETTLED.includes((latestReports.get(paymentId) as PaymentView).status);
      outcome = (await this.hearFrom(paymentId, settled)) ? (latestReports.get(paymentId) as PaymentView) : endedWithoutReport(paymentId);
    }
    if (outcome.status === 'COMPLETE' && outcome.amountMinor !== charge.amountMinor) {
      // A change of amount reached the reservation only once the payment was charging: what was charged stands.
      this.moveTo(state.status, `${charge.label} charged ${outcome.amountMinor} ${input.currency}, not the ${charge.amountMinor} asked after its charge had started`);
      charge.amountMinor = outcome.amountMinor;
    }
    const step = settleAttempt(state, charge, outcome, { now: now(), dunningDelaysMs: this.dunningDelays, cardOnFile: true });
    this.moveTo(step.status, step.note);
  }

  /** One attempt at a charge, through its own payment workflow; its outcome settles the charge (see settleAttempt). */
  private async attemptCharge(charge: ScheduledCharge): Promise<void> {
    const { state, input } = this;
    charge.attempts += 1;
    const paymentId = `payment-${input.merchantId}-${input.reference}-${charge.id}-a${charge.attempts}`;
    charge.paymentIds.push(paymentId);
    const cardSource: CardSource = state.paymentMethodToken ? { kind: 'token', paymentMethodToken: state.paymentMethodToken } : input.cardSource;
    this.moveTo('CHARGING', `${charge.label} ${charge.amountMinor} ${input.currency}, attempt ${charge.attempts}`);
    this.waitFor(`the ${charge.label} charge (payment ${paymentId})`);
    const result = patched(CHARGES_THROUGH_OWNED_PAYMENTS)
      ? await this.chargeThroughOwnedPayment(charge, paymentId, cardSource)
      : await this.chargeThroughEndingChild(charge, paymentId, cardSource);
    const step = settleAttempt(state, charge, result, { now: now(), dunningDelaysMs: this.dunningDelays, cardOnFile: cardSource.kind === 'token' });
    this.moveTo(step.status, step.note);
  }

  /** Charges as before issue 13: a child payment that ends with the charge (the reservation refunded it itself). */
  private async chargeThroughEndingChild(charge: ScheduledCharge, paymentId: string, cardSource: CardSource): Promise<PaymentView> {
    const { input } = this;
    try {
      return await executeChild(paymentWorkflow, {
        workflowId: paymentId,
        args: [{ request: this.chargeRequest(charge, paymentId), cardSource, startRequestId: paymentId, timing: { ...input.paymentTiming, refundWindowMs: 0 } }],
        staticSummary: `${charge.label} charge of reservation ${input.reference}, attempt ${charge.attempts}`,
        // The reservation's reference, so the Web UI lists a stay's charges with the stay.
        typedSearchAttributes: initialPaymentSearchAttributes({ ...input, amountMinor: charge.amountMinor }),
      });
    } catch (error) {
      return paymentWorkflowFailed(error);
    }
  }

  /**
   * Starts the charge's payment workflow, which outlives this run (continue-as-new, check-out) to own the charge's
   * refunds, and waits until it reports the charge settled (or ends without a charge).
   */
  private async chargeThroughOwnedPayment(charge: ScheduledCharge, paymentId: string, cardSource: CardSource): Promise<PaymentView> {
    const { input, latestReports } = this;
    charge.refundsOwnedByPayment = true;
    try {
      const payment = await startChild(paymentWorkflow, {
        workflowId: paymentId,
        args: [this.ownedPaymentInput(charge, paymentId, cardSource)],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `${charge.label} charge of reservation ${input.reference}, attempt ${charge.attempts}`,
        typedSearchAttributes: initialPaymentSearchAttributes({ ...input, amountMinor: charge.amountMinor }),
      });
      let ended: PaymentView | undefined;
      const settledReport = condition(() => {
        const reported = latestReports.get(paymentId);
        return reported !== undefined && !CHARGE_UNSETTLED.includes(reported.status);
      });
      await Promise.race([settledReport, payment.result().then((view) => void (ended = view))]);
      return ended ?? (latestReports.get(paymentId) as PaymentView);
    } catch (error) {
      return paymentWorkflowFailed(error);
    }
  }

  /** Asks each owning payment to refund its charge (after any refund it has in flight) and waits for its report. */
  private async refundThroughOwnedPayments(charges: ScheduledCharge[], reason: string, problems: string[]): Promise<void> {
    const { input } = this;
    for (const charge of charges) {
      if (charge.payment?.status === 'REFUNDED') continue;
      const paymentId = charge.paymentIds.at(-1) as string;
      try {
        await getExternalWorkflowHandle(paymentId).signal(cancelOwnedPaymentSignal, { reason });
      } catch (error) {
        problems.push(`${charge.id}: payment ${paymentId} could not be asked to refund: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const asked = charges.filter((charge) => !problems.some((problem) => problem.startsWith(`${charge.id}:`)));
    this.waitFor(`the refunds of ${asked.map((charge) => charge.paymentIds.at(-1)).join(', ')}`);
    const refundsSettled = () => asked.every((charge) => charge.payment?.status === 'REFUNDED' || charge.payment?.cancelRefundSettled === true);
    if (asked.length > 0 && patched(CANCEL_ANSWERS_WITHIN_REFUND_BUDGET)) {
      const budgetMs = input.paymentTiming?.refundAnswerWithinMs ?? DEFAULT_REFUND_ANSWER_WITHIN_MS;
      if (!(await condition(refundsSettled, budgetMs, { summary: 'Wait for the refunds within the refund budget' }))) {
        // The provider has not answered in time: the payments keep resolving their refunds (same keys, no second
        // refund); the cancellation is in effect now and its refund completes in the background.
        const pendingMinor = asked.reduce((sum, charge) => sum + charge.amountMinor - charge.refundedMinor, 0);
        this.moveTo('CANCELLED', `${reason}; refund of ${pendingMinor} ${input.currency} pending at the provider, completing in the background`);
        this.refundPending = true;
        this.waitFor(`the refunds of ${asked.map((charge) => charge.paymentIds.at(-1)).join(', ')} (the provider has not answered yet)`);
      }
    }
    await condition(refundsSettled);
    this.refundPending = false;
    for (const charge of asked) {
      if (charge.payment?.status !== 'REFUNDED') problems.push(`${charge.id}: payment ${charge.paymentIds.at(-1)} could not refund it (see its refunds)`);
    }
  }

  /** The stay is cancelled: nothing to undo, a non-refundable rate kept, or every paid charge refunded by its owner. */
  private async cancel(reason: string): Promise<void> {
    const { state, input } = this;
    // A payment scheduled ahead must not run now; if it had started, its charge is refunded below like any other.
    for (const charge of state.charges.filter((scheduled) => scheduled.scheduled !== undefined)) await this.withdrawScheduled(charge, reason);
    const paid = state.charges.filter((charge) => charge.status === 'PAID');
    if (paid.length === 0) {
      this.moveTo('CANCELLED', `${reason}; nothing was charged`);
      return;
    }
    if (!input.refundableOnCancel) {
      this.moveTo('CANCELLED', `${reason}; non-refundable rate: ${paidMinor(state.charges)} ${input.currency} kept`);
      return;
    }
    const problems: string[] = [];
    await this.refundThroughOwnedPayments(paid.filter((charge) => charge.refundsOwnedByPayment), reason, problems);
    for (const charge of paid.filter((owned) => !owned.refundsOwnedByPayment)) {
      const paymentId = charge.paymentIds.at(-1) as string;
      try {
        const refund = await this.providerCalls.refundAtProvider({
          request: this.chargeRequest(charge, paymentId),
          handle: { provider: input.provider, providerPaymentId: charge.providerPaymentId },
          refund: { amountMinor: charge.amountMinor - charge.refundedMinor, currency: input.currency, reason, idempotencyKey: `${paymentId}-refund-cancel` },
        });
        charge.refundedMinor += refund.amountMinor;
      } catch (error) {
        problems.push(`${charge.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (problems.length === 0) this.moveTo('REFUNDED', `${reason}; ${paidMinor(state.charges)} ${input.currency} refunded`);
    else this.moveTo('CANCELLED', `${reason}; refund could not be made, act at the provider: ${problems.join('; ')}`);
  }

  /**
   * Option A at booking: opens the provider's hosted card-on-file form, answers the booking with its URL, and polls
   * until the guest has entered a card (the token is kept, the card never reaches us). False when the reservation
   * ended instead: the form was abandoned (FAILED) or the booking cancelled meanwhile (CANCELLED, nothing charged).
   */
  private async keepCardFromHostedForm(): Promise<boolean> {
    const { state, input } = this;
    let form: { formId: string; url: string };
    try {
      form = await this.providerCalls.openHostedCardForm({ provider: input.provider, payerEmail: input.payerEmail });
    } catch (error) {
      state.failure = { code: 'hosted_form_unavailable', message: error instanceof Error ? error.message : String(error) };
      this.moveTo('FAILED', 'the hosted card form could not be opened');
      return false;
    }
    state.nextAction = { type: 'redirect', url: form.url };
    this.moveTo('BOOKING', `hosted card form ${form.formId} opened: the guest enters the card on ${input.provider}'s Secure Card Service`);
    const timeoutMs = input.paymentTiming?.challengeTimeoutMs ?? DEFAULT_HOSTED_FORM_TIMEOUT_MS;
    const delays = input.paymentTiming?.statusPollDelaysMs ?? DEFAULT_HOSTED_FORM_POLL_DELAYS_MS;
    const deadline = now() + timeoutMs;
    for (let poll = 0; now() < deadline; poll += 1) {
      const delay = Math.min(delays[Math.min(poll, delays.length - 1)] ?? 5_000, deadline - now());
      this.waitFor(`the guest to enter the card on the hosted form (status poll in ${describeDuration(delay)})`);
      if (await condition(() => this.cancelReason !== undefined, delay, { summary: 'Wait for the hosted card form or next status poll' })) {
        state.nextAction = undefined;
        this.moveTo('CANCELLED', `${this.cancelReason}; the card was never entered, nothing was charged`);
        return false;
      }
      try {
        const result = await this.providerCalls.hostedCardFormResult({ provider: input.provider, formId: form.formId });
        if (result.state === 'COMPLETE' && result.paymentMethodToken) {
          state.paymentMethodToken = result.paymentMethodToken;
          state.card = result.card;
          state.nextAction = undefined;
          return true;
        }
      } catch (error) {
        this.moveTo(state.status, `hosted card form status unknown: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    state.nextAction = undefined;
    state.failure = { code: 'hosted_form_expired', message: `hosted card form not completed within ${describeDuration(timeoutMs)}` };
    this.moveTo('FAILED', 'the guest did not enter a card on the hosted form');
    return false;
  }

  /** A card entered with the booking is kept on file at the provider (a token) for charges due later. */
  private async keepCardOnFile(cardSource: VaultCardSource): Promise<boolean> {
    const { state, input } = this;
    const vault = proxyActivities<CardVaultActivities>({
      taskQueue: cardSource.taskQueue,
      scheduleToStartTimeout: input.paymentTiming?.cardPickupTimeoutMs ?? '10s',
      startToCloseTimeout: '45s',
      heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
      retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES },
      summary: `keep card ${input.card ? `${input.card.brand} ****${input.card.last4}` : ''} on file at ${input.provider}`,
    });
    try {
      state.paymentMethodToken = (await vault.tokenizeCardFromVault({ provider: input.provider, vaultHandle: cardSource.handle, payerEmail: input.payerEmail })).paymentMethodToken;
      return true;
    } catch (error) {
      state.failure = { code: 'tokenization_failed', message: error instanceof Error ? error.message : String(error) };
      this.moveTo('FAILED', 'the card could not be kept on file');
      return false;
    }
  }

  /** Booking: the card kept on file (or entered on a hosted form) and the plan set. False when booking failed. */
  private async book(): Promise<boolean> {
    const { input } = this;
    if (input.cardSource.kind === 'token') {
      // Kept on file by the API before the start (its status already BOOKING): booked in this first task.
      this.state.paymentMethodToken = input.cardSource.paymentMethodToken;
      this.moveTo('SCHEDULED', 'booked');
      return true;
    }
    upsertSearchAttributes([{ key: ReservationStatusKey, value: 'BOOKING' }]);
    if (input.cardSource.kind === 'hosted' && patched(HOSTED_FORM_PATCH)) {
      if (!(await this.keepCardFromHostedForm())) return false;
    } else if (input.policy.kind !== 'charge_now' && input.cardSource.kind === 'vault') {
      if (!(await this.keepCardOnFile(input.cardSource))) return false;
    }
    this.moveTo('SCHEDULED', 'booked');
    return true;
  }

  /**
   * Sleeps until the next wake (a charge due, or check-out once paid in full), woken early by a cancellation, a change
   * of plan or a history grown too long; then charges, completes the stay, or continues as new.
   */
  private async runPlan(): Promise<void> {
    const { state } = this;
    if (state.status === 'BOOKING' && !(await this.book())) return;
    while (!FINAL.includes(state.status)) {
      if (this.cancelReason !== undefined) {
        await this.cancel(this.cancelReason);
        return;
      }
      const wake = nextWake(state);
      this.waitFor(wake.waitingFor);
      const remaining = wake.at - now();
      if (wake.charge && this.runsScheduledAhead(wake.charge, remaining)) {
        if ((await this.chargeScheduledAhead(wake.charge, wake)) === 'continue-as-new') break;
        continue;
      }
      if (remaining > 0) {
        const woken = await condition(() => this.cancelReason !== undefined || this.planChanged || this.historyTooLong(), remaining, { summary: wake.summary });
        this.planChanged = false;
        if (woken) {
          if (this.historyTooLong() && this.cancelReason === undefined) break;
          continue;
        }
      }
      if (!wake.charge) {
        this.moveTo('COMPLETED', 'stay over');
        return;
      }
      await this.attemptCharge(wake.charge);
    }
    if (!FINAL.includes(state.status)) {
      await condition(() => allHandlersFinished() && this.events.idle);
      await continueAsNew<typeof reservationWorkflow>({ ...this.input, carried: state });
    }
  }

  async run(): Promise<ReservationView> {
    try {
      await this.runPlan();
    } finally {
      this.settled = true;
    }
    await condition(() => allHandlersFinished() && this.events.idle);
    return this.view();
  }
}

/** The state carried over continue-as-new; runs from before issue 16 also carried the amount, now the charges' sum. */
function carriedState(input: ReservationInput): ReservationState | undefined {
  if (!input.carried) return undefined;
  const { amountMinor: _derived, ...carried } = input.carried as ReservationState & { amountMinor?: number };
  return carried;
}

/** A scheduled payment that stood down before it ran: nothing was charged. */
function wasSuperseded(report: PaymentView): boolean {
  return report.status === 'CANCELLED' && report.failure?.code === SUPERSEDED_FAILURE_CODE;
}

/** What the reservation mirrors of a payment that owns a charge's refunds. */
function mirrorOwnedPayment(charge: ScheduledCharge, payment: PaymentView): void {
  charge.refundedMinor = payment.refundedMinor;
  charge.payment = {
    status: payment.status,
    cancelRefundSettled: payment.refunds.some((refund) => refund.id === CANCEL_REFUND_ID && refund.status !== 'PENDING'),
  };
}

/** A payment that ended without telling its reservation (terminated by hand): the attempt failed, as a child's would. */
function endedWithoutReport(paymentId: string): PaymentView {
  return { ...paymentWorkflowFailed(new Error(`payment ${paymentId} ended without reporting its outcome`)), paymentId };
}

function paymentWorkflowFailed(error: unknown): PaymentView {
  return { status: 'FAILED', failure: { code: 'payment_workflow_failed', message: error instanceof Error ? error.message : String(error) } } as PaymentView;
}
