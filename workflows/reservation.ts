import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  startChild,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CardVaultActivities } from '../activities/card-vault-activities';
import { NON_RETRYABLE_PAYMENT_FAILURES } from '../activities/payment-failure-types';
import type { PaymentActivities } from '../activities/payment-activities';
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
import type { CardSource, PaymentView } from './payment-types';
import { providerTaskQueue } from './provider-task-queue';
import { CANCEL_REFUND_ID, DEFAULT_REFUND_ANSWER_WITHIN_MS } from './refund-types';
import { reservationEventOf } from './reservation-events';
import type { ReservationInput, ReservationState, ReservationStatus, ReservationView, ScheduledCharge } from './reservation-types';
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
  const now = () => Date.now();
  const at = (instant: number) => new Date(instant).toISOString();
  const dunningDelays = input.dunningDelaysMs ?? DEFAULT_DUNNING_DELAYS_MS;
  const state: ReservationState = input.carried ?? {
    status: 'BOOKING',
    amountMinor: input.initial.amountMinor,
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
  let cancelReason: string | undefined;
  /** The cancellation is in effect but its refunds are still being settled: the cancel update may answer. */
  let refundPending = false;
  let planChanged = false;
  let settled = FINAL.includes(state.status);

  const providerCalls = proxyActivities<PaymentActivities>({
    taskQueue: providerTaskQueue(workflowInfo().taskQueue, input.provider),
    startToCloseTimeout: '30s',
    heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
    scheduleToCloseTimeout: '10m',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES },
  });

  const pendingCharges = () => state.charges.filter((charge) => charge.status === 'PENDING');
  const nextDue = (charge: ScheduledCharge) => toInstant(charge.retryAt ?? charge.dueAt);
  const paidMinor = () => state.charges.filter((charge) => charge.status === 'PAID').reduce((sum, charge) => sum + charge.amountMinor, 0);

  const view = (): ReservationView => {
    const next = pendingCharges()[0];
    return {
      ...state,
      charges: state.charges.map((charge) => ({ ...charge })),
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
      paidMinor: paidMinor(),
      refundedMinor: state.charges.reduce((sum, charge) => sum + charge.refundedMinor, 0),
      refundPending,
    };
  };

  const moveTo = (status: ReservationStatus, note?: string) => {
    if (state.status === status && !note) return;
    const changed = state.status !== status;
    state.status = status;
    state.transitions.push({ status, at: at(now()), ...(note ? { note } : {}) });
    // A stay with many changes must not grow its history without bound: keep the latest transitions.
    if (state.transitions.length > 100) state.transitions.splice(0, state.transitions.length - 100);
    upsertSearchAttributes([{ key: ReservationStatusKey, value: status }]);
    if (changed) publishEvent();
  };

  const events = new MerchantEventPublisher();
  /** The merchant hears of the status changes it acts on (see reservationEventOf). */
  const publishEvent = () => {
    const current = view();
    const sequence = (state.eventSequence ?? 0) + 1;
    const event = reservationEventOf(current, sequence);
    if (event && events.emit(input.merchantId, sequence, event.type, event.data)) state.eventSequence = sequence;
  };

  const waitFor = (description: string) => setCurrentDetails(`Waiting for ${description}`);
  // A stay can collect changes for months: past a size, carry the state into a fresh run with a short history.
  const historyTooLong = () =>
    workflowInfo().continueAsNewSuggested ||
    (input.continueAsNewAfterEvents !== undefined && workflowInfo().historyLength >= input.continueAsNewAfterEvents);

  setHandler(reservationStateQuery, view);
  /** What each owned payment of this run last reported (the charge step waits on it). */
  const latestReports = new Map<string, PaymentView>();
  setHandler(ownedPaymentChangedSignal, (payment) => {
    latestReports.set(payment.paymentId, payment);
    const charge = state.charges.find((candidate) => candidate.paymentIds.at(-1) === payment.paymentId);
    if (!charge?.refundsOwnedByPayment) return;
    charge.refundedMinor = payment.refundedMinor;
    charge.payment = {
      status: payment.status,
      cancelRefundSettled: payment.refunds.some((refund) => refund.id === CANCEL_REFUND_ID && refund.status !== 'PENDING'),
    };
  });
  setHandler(reservationBookedUpdate, async () => {
    // Charge now: answer with the charge's outcome; otherwise as soon as the card is on file and the plan set.
    const answered: ReservationStatus[] = input.policy.kind === 'charge_now' ? ['BOOKING', 'SCHEDULED', 'CHARGING'] : ['BOOKING'];
    // A hosted form: answer with its URL, the guest enters the card there.
    await condition(() => !answered.includes(state.status) || state.nextAction !== undefined);
    return { reservation: view(), startRequestId: input.startRequestId };
  });
  setHandler(
    changeStayUpdate,
    async (change) => {
      const due = replanDueDates(input.policy, state.charges, { checkinAt: change.checkinAt, checkoutAt: change.checkoutAt }, now());
      state.stay = { checkinAt: change.checkinAt, checkoutAt: change.checkoutAt };
      for (const charge of state.charges) {
        const dueAt = due.get(charge.id);
        if (dueAt) charge.dueAt = dueAt;
      }
      upsertSearchAttributes([{ key: CheckinDateKey, value: new Date(toInstant(change.checkinAt)) }]);
      moveTo(state.status, `stay moved to ${change.checkinAt} – ${change.checkoutAt}`);
      planChanged = true;
      return view();
    },
    {
      validator: (change) => {
        requireOpen();
        const checkin = toInstant(change.checkinAt);
        const checkout = toInstant(change.checkoutAt);
        if (Number.isNaN(checkin) || Number.isNaN(checkout)) throw new Error('checkinAt and checkoutAt must be ISO dates');
        if (checkout <= checkin) throw new Error('check-out must be after check-in');
        if (checkin < now()) throw new Error('check-in cannot be in the past');
        const due = replanDueDates(input.policy, state.charges, change, now());
        for (const [id, dueAt] of due) {
          if (toInstant(dueAt) < now()) throw new Error(`the charge date of ${id} would be in the past (${dueAt})`);
        }
      },
    },
  );
  setHandler(
    changeAmountUpdate,
    async ({ amountMinor }) => {
      const pending = pendingCharges();
      const last = pending.at(-1) as ScheduledCharge;
      last.amountMinor += amountMinor - state.amountMinor;
      state.amountMinor = amountMinor;
      upsertSearchAttributes([{ key: AmountMinorKey, value: amountMinor }]);
      moveTo(state.status, `amount changed to ${amountMinor} ${input.currency}`);
      planChanged = true;
      return view();
    },
    {
      validator: ({ amountMinor }) => {
        requireOpen();
        if (!Number.isInteger(amountMinor) || amountMinor <= 0) throw new Error('amountMinor must be a positive integer');
        const pending = pendingCharges();
        if (pending.length === 0) throw new Error('everything is charged already; refund the difference instead');
        const fixed = state.amountMinor - (pending.at(-1) as ScheduledCharge).amountMinor;
        if (amountMinor <= fixed) throw new Error(`amountMinor must exceed the ${fixed} already charged or fixed`);
      },
    },
  );
  setHandler(
    cancelReservationUpdate,
    async ({ reason }) => {
      cancelReason ??= reason;
      // Answers once the reservation is settled, or cancelled with its refund still with the provider (202).
      await condition(() => settled || refundPending);
      return view();
    },
    {
      validator: ({ reason }) => {
        if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 200) throw new Error('reason must be 1 to 200 characters');
        requireOpen();
      },
    },
  );

  function requireOpen(): void {
    if (FINAL.includes(state.status)) throw new Error(`reservation is already ${state.status}`);
  }

  function chargeRequest(charge: ScheduledCharge, paymentId: string): PaymentRequest {
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

  async function attemptCharge(charge: ScheduledCharge): Promise<void> {
    charge.attempts += 1;
    const paymentId = `payment-${input.merchantId}-${input.reference}-${charge.id}-a${charge.attempts}`;
    charge.paymentIds.push(paymentId);
    const cardSource: CardSource = state.paymentMethodToken
      ? { kind: 'token', paymentMethodToken: state.paymentMethodToken }
      : input.cardSource;
    moveTo('CHARGING', `${charge.label} ${charge.amountMinor} ${input.currency}, attempt ${charge.attempts}`);
    waitFor(`the ${charge.label} charge (payment ${paymentId})`);
    const result = patched(CHARGES_THROUGH_OWNED_PAYMENTS)
      ? await chargeThroughOwnedPayment(charge, paymentId, cardSource)
      : await chargeThroughEndingChild(charge, paymentId, cardSource);
    if (result.status === 'COMPLETE') {
      charge.status = 'PAID';
      charge.retryAt = undefined;
      charge.providerPaymentId = result.providerPaymentId;
      moveTo(pendingCharges().length === 0 ? 'PAID' : 'PARTIALLY_PAID', `${charge.label} charged`);
      return;
    }
    charge.lastFailure = result.failure ?? { code: result.status.toLowerCase(), message: `payment ended ${result.status}` };
    const delay = dunningDelays[charge.attempts - 1];
    const retryAt = delay === undefined ? undefined : now() + delay;
    // The card was only in memory (no token): it cannot be tried again without the guest.
    const canRetry = cardSource.kind === 'token' && retryAt !== undefined && retryAt <= toInstant(state.stay.checkinAt);
    if (canRetry) {
      charge.retryAt = at(retryAt as number);
      moveTo('RETRY_SCHEDULED', `${charge.label} ${result.status.toLowerCase()} (${charge.lastFailure.code}); retry in ${describeDuration(delay as number)}`);
      return;
    }
    charge.status = 'FAILED';
    state.failure = {
      code: charge.lastFailure.code,
      message: `${charge.label} charge failed after ${charge.attempts} attempt(s) (last: ${charge.lastFailure.code}); ask the guest for another card or cancel the reservation`,
    };
    moveTo('FAILED', state.failure.message);
  }

  /** Charges as before issue 13: a child payment that ends with the charge (the reservation refunded it itself). */
  async function chargeThroughEndingChild(charge: ScheduledCharge, paymentId: string, cardSource: CardSource): Promise<PaymentView> {
    try {
      return await executeChild(paymentWorkflow, {
        workflowId: paymentId,
        args: [{ request: chargeRequest(charge, paymentId), cardSource, startRequestId: paymentId, timing: { ...input.paymentTiming, refundWindowMs: 0 } }],
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
  async function chargeThroughOwnedPayment(charge: ScheduledCharge, paymentId: string, cardSource: CardSource): Promise<PaymentView> {
    charge.refundsOwnedByPayment = true;
    try {
      const payment = await startChild(paymentWorkflow, {
        workflowId: paymentId,
        args: [{ request: chargeRequest(charge, paymentId), cardSource, startRequestId: paymentId, timing: input.paymentTiming, owner: { reservationId: input.reservationId } }],
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
  async function refundThroughOwnedPayments(charges: ScheduledCharge[], reason: string, problems: string[]): Promise<void> {
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
    waitFor(`the refunds of ${asked.map((charge) => charge.paymentIds.at(-1)).join(', ')}`);
    const refundsSettled = () => asked.every((charge) => charge.payment?.status === 'REFUNDED' || charge.payment?.cancelRefundSettled === true);
    if (asked.length > 0 && patched(CANCEL_ANSWERS_WITHIN_REFUND_BUDGET)) {
      const budgetMs = input.paymentTiming?.refundAnswerWithinMs ?? DEFAULT_REFUND_ANSWER_WITHIN_MS;
      if (!(await condition(refundsSettled, budgetMs, { summary: 'Wait for the refunds within the refund budget' }))) {
        // The provider has not answered in time: the payments keep resolving their refunds (same keys, no second
        // refund); the cancellation is in effect now and its refund completes in the background.
        const pendingMinor = asked.reduce((sum, charge) => sum + charge.amountMinor - charge.refundedMinor, 0);
        moveTo('CANCELLED', `${reason}; refund of ${pendingMinor} ${input.currency} pending at the provider, completing in the background`);
        refundPending = true;
        waitFor(`the refunds of ${asked.map((charge) => charge.paymentIds.at(-1)).join(', ')} (the provider has not answered yet)`);
      }
    }
    await condition(refundsSettled);
    refundPending = false;
    for (const charge of asked) {
      if (charge.payment?.status !== 'REFUNDED') problems.push(`${charge.id}: payment ${charge.paymentIds.at(-1)} could not refund it (see its refunds)`);
    }
  }

  async function cancel(reason: string): Promise<void> {
    const paid = state.charges.filter((charge) => charge.status === 'PAID');
    if (paid.length === 0) {
      moveTo('CANCELLED', `${reason}; nothing was charged`);
      return;
    }
    if (!input.refundableOnCancel) {
      moveTo('CANCELLED', `${reason}; non-refundable rate: ${paidMinor()} ${input.currency} kept`);
      return;
    }
    const problems: string[] = [];
    await refundThroughOwnedPayments(paid.filter((charge) => charge.refundsOwnedByPayment), reason, problems);
    for (const charge of paid.filter((owned) => !owned.refundsOwnedByPayment)) {
      const paymentId = charge.paymentIds.at(-1) as string;
      try {
        const refund = await providerCalls.refundAtProvider({
          request: chargeRequest(charge, paymentId),
          handle: { provider: input.provider, providerPaymentId: charge.providerPaymentId },
          refund: { amountMinor: charge.amountMinor - charge.refundedMinor, currency: input.currency, reason, idempotencyKey: `${paymentId}-refund-cancel` },
        });
        charge.refundedMinor += refund.amountMinor;
      } catch (error) {
        problems.push(`${charge.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (problems.length === 0) moveTo('REFUNDED', `${reason}; ${paidMinor()} ${input.currency} refunded`);
    else moveTo('CANCELLED', `${reason}; refund could not be made, act at the provider: ${problems.join('; ')}`);
  }

  /**
   * Option A at booking: opens the provider's hosted card-on-file form, answers the booking with its URL, and polls
   * until the guest has entered a card (the token is kept, the card never reaches us). False when the reservation
   * ended instead: the form was abandoned (FAILED) or the booking cancelled meanwhile (CANCELLED, nothing charged).
   */
  async function keepCardFromHostedForm(): Promise<boolean> {
    let form: { formId: string; url: string };
    try {
      form = await providerCalls.openHostedCardForm({ provider: input.provider, payerEmail: input.payerEmail });
    } catch (error) {
      state.failure = { code: 'hosted_form_unavailable', message: error instanceof Error ? error.message : String(error) };
      moveTo('FAILED', 'the hosted card form could not be opened');
      return false;
    }
    state.nextAction = { type: 'redirect', url: form.url };
    moveTo('BOOKING', `hosted card form ${form.formId} opened: the guest enters the card on ${input.provider}'s Secure Card Service`);
    const timeoutMs = input.paymentTiming?.challengeTimeoutMs ?? DEFAULT_HOSTED_FORM_TIMEOUT_MS;
    const delays = input.paymentTiming?.statusPollDelaysMs ?? DEFAULT_HOSTED_FORM_POLL_DELAYS_MS;
    const deadline = now() + timeoutMs;
    for (let poll = 0; now() < deadline; poll += 1) {
      const delay = Math.min(delays[Math.min(poll, delays.length - 1)] ?? 5_000, deadline - now());
      waitFor(`the guest to enter the card on the hosted form (status poll in ${describeDuration(delay)})`);
      if (await condition(() => cancelReason !== undefined, delay, { summary: 'Wait for the hosted card form or next status poll' })) {
        state.nextAction = undefined;
        moveTo('CANCELLED', `${cancelReason}; the card was never entered, nothing was charged`);
        return false;
      }
      try {
        const result = await providerCalls.hostedCardFormResult({ provider: input.provider, formId: form.formId });
        if (result.state === 'COMPLETE' && result.paymentMethodToken) {
          state.paymentMethodToken = result.paymentMethodToken;
          state.card = result.card;
          state.nextAction = undefined;
          return true;
        }
      } catch (error) {
        moveTo(state.status, `hosted card form status unknown: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    state.nextAction = undefined;
    state.failure = { code: 'hosted_form_expired', message: `hosted card form not completed within ${describeDuration(timeoutMs)}` };
    moveTo('FAILED', 'the guest did not enter a card on the hosted form');
    return false;
  }

  async function run(): Promise<void> {
    if (state.status === 'BOOKING') {
      upsertSearchAttributes([{ key: ReservationStatusKey, value: 'BOOKING' }]);
      if (input.cardSource.kind === 'hosted' && patched(HOSTED_FORM_PATCH)) {
        if (!(await keepCardFromHostedForm())) return;
      } else if (input.policy.kind !== 'charge_now' && input.cardSource.kind === 'vault') {
        const vault = proxyActivities<CardVaultActivities>({
          taskQueue: input.cardSource.taskQueue,
          scheduleToStartTimeout: input.paymentTiming?.cardPickupTimeoutMs ?? '10s',
          startToCloseTimeout: '45s',
          heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
          retry: { maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES },
          summary: `keep card ${input.card ? `${input.card.brand} ****${input.card.last4}` : ''} on file at ${input.provider}`,
        });
        try {
          state.paymentMethodToken = (await vault.tokenizeCardFromVault({ provider: input.provider, vaultHandle: input.cardSource.handle, payerEmail: input.payerEmail })).paymentMethodToken;
        } catch (error) {
          state.failure = { code: 'tokenization_failed', message: error instanceof Error ? error.message : String(error) };
          moveTo('FAILED', 'the card could not be kept on file');
          return;
        }
      }
      moveTo('SCHEDULED', 'booked');
    }
    while (!FINAL.includes(state.status)) {
      if (cancelReason !== undefined) {
        await cancel(cancelReason);
        return;
      }
      const next = pendingCharges()[0];
      if (!next) {
        // Paid in full: stay open for changes and cancellation until check-out, then finish.
        waitFor(`check-out on ${state.stay.checkoutAt} (paid in full)`);
        const remaining = toInstant(state.stay.checkoutAt) - now();
        if (remaining > 0 && (await condition(() => cancelReason !== undefined || planChanged || historyTooLong(), remaining, { summary: 'Sleep until check-out' }))) {
          planChanged = false;
          if (historyTooLong() && cancelReason === undefined) break;
          continue;
        }
        moveTo('COMPLETED', 'stay over');
        return;
      }
      const wait = nextDue(next) - now();
      if (wait > 0) {
        waitFor(`the ${next.label} charge due ${at(nextDue(next))}`);
        const woken = await condition(() => cancelReason !== undefined || planChanged || historyTooLong(), wait, {
          summary: `Sleep until the ${next.label} charge is due`,
        });
        planChanged = false;
        if (woken) {
          if (historyTooLong() && cancelReason === undefined) break;
          continue;
        }
      }
      await attemptCharge(next);
    }
    if (!FINAL.includes(state.status)) {
      await condition(() => allHandlersFinished() && events.idle);
      await continueAsNew<typeof reservationWorkflow>({ ...input, carried: state });
    }
  }

  try {
    await run();
  } finally {
    settled = true;
  }
  await condition(() => allHandlersFinished() && events.idle);
  return view();
}

function paymentWorkflowFailed(error: unknown): PaymentView {
  return { status: 'FAILED', failure: { code: 'payment_workflow_failed', message: error instanceof Error ? error.message : String(error) } } as PaymentView;
}
