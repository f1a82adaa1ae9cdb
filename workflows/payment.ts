import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TimeoutFailure,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import { providerTaskQueue } from './provider-task-queue';
import type { PaymentActivities } from '../activities/payment-activities';
import type { CardVaultActivities } from '../activities/card-vault-activities';
import { PaymentFailureType, NON_RETRYABLE_PAYMENT_FAILURES } from '../activities/payment-failure-types';
import type { ProviderPaymentHandle, ProviderStatus, SubmissionOutcome } from '../activities/provider-adapter';
import { FINAL_STATUSES, type PaymentStatus } from '../domain/payment-status';
import {
  cancelOwnedPaymentSignal,
  cancelPaymentUpdate,
  challengeCompletedSignal,
  firstOutcomeUpdate,
  ownedPaymentChangedSignal,
  paymentStateQuery,
  providerEventSignal,
  providerEventUpdate,
  reconciliationFindingSignal,
  refundPaymentUpdate,
  refundRequestQuery,
  requestRefundUpdate,
} from './messages';
import { CardHandover } from './card-handover';
import { PaymentRecord } from './payment-record';
import type { CardSource, PaymentWorkflowInput, PaymentView, PaymentTiming, VaultCardSource } from './payment-types';
import { describeDuration } from './describe-duration';
import type { PaymentRefunds } from './payment-refunds';
import { CANCEL_REFUND_ID, DEFAULT_REFUND_ANSWER_WITHIN_MS, RefundRejection, type RefundOutcome } from './refund-types';
import { WebhookHints } from './webhook-hints';
import { ReconStatusKey } from './search-attributes';
import type { ReconStatus } from './reconciliation-types';
import { WORKER_LIVENESS_TIMEOUT } from './worker-liveness';

const DEFAULT_TIMING: Required<PaymentTiming> = {
  challengeTimeoutMs: 15 * 60_000,
  statusPollDelaysMs: [15_000, 30_000, 60_000, 120_000, 300_000],
  refundWindowMs: 90 * 24 * 3_600_000,
  cardPickupTimeoutMs: 10_000,
  lostAnswerGraceMs: 120_000,
  refundAnswerWithinMs: DEFAULT_REFUND_ANSWER_WITHIN_MS,
  refundRetryDelaysMs: [10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000, 21_600_000],
  cardHandoverWindowMs: 120_000,
};

/**
 * Since issue 13 a cancellation refunds through the payment's refund records (an id, a PENDING state, resolved in
 * the background); histories recorded before that take the old path.
 */
const REFUNDS_HAVE_IDS = 'refunds-have-ids';
const REFUND_ID_PATTERN = /^re_[A-Za-z0-9_]{1,64}$/;

/** Versions the hand-over of a repeated request's card (histories from before it fail a lost card at once). */
const CARD_HANDOVER_PATCH = 'card-handover-after-lost-card';
/** Cards a payment accepts from repeated requests: each one was lost in turn, so something else is wrong. */
const MAX_CARD_HANDOVERS = 3;

/**
 * Versions how a lost card-submission answer is settled: the provider is asked until it answers (status checks with
 * backoff; Trustist, which names its payment only in the answer, gets the same card again). Before it, a provider that
 * stayed silent made the payment FAILED even when it had charged.
 */
const LOST_ANSWER_ASKS_PROVIDER_PATCH = 'lost-answer-asks-provider';
const LOST_ANSWER_RESUBMISSIONS = 4;
const LOST_ANSWER_RESUBMIT_DELAY_MS = 5_000;
const MAX_STATUS_ASK_DELAY_MS = 15 * 60_000;

/**
 * Versions TurnStay Option A (issue 14): a payment without card data whose first outcome is the provider's hosted card
 * form. Only hosted payments reach it, so histories of card payments never record the marker.
 */
const HOSTED_FORM_PATCH = 'hosted-form';

/** What the payment waits for while the shopper is on the provider's page, and what it says when they never finish. */
interface ShopperStep {
  waiting: string;
  summary: string;
  expiredCode: string;
  expiredMessage: (timeout: string) => string;
}
const CHALLENGE_STEP: ShopperStep = {
  waiting: 'the 3-D Secure challenge',
  summary: 'Wait for challenge outcome or next status poll',
  expiredCode: 'challenge_expired',
  expiredMessage: (timeout) => `3-D Secure challenge not completed within ${timeout}`,
};
const HOSTED_FORM_STEP: ShopperStep = {
  waiting: 'the shopper on the hosted card form',
  summary: 'Wait for the hosted card form or next status poll',
  expiredCode: 'hosted_form_expired',
  expiredMessage: (timeout) => `hosted card form not completed within ${timeout}`,
};

/** Versions the reconciliation sweep's finding: histories from before it never acted on the signal. */
const RECHECK_PATCH = 'recheck-signal';

/** Ids named by webhooks that a lost answer checks at most: each costs a status call, and webhooks can be forged. */
const MAX_WEBHOOK_IDS_CHECKED = 10;

const PROVIDER_LABELS = { turnstay: 'TurnStay', trustist: 'Trustist' } as const;

/** Where a webhook can change what the payment does: before its outcome is known. */
const WAITS_FOR_WEBHOOKS: PaymentStatus[] = ['CREATED', 'SUBMITTED', 'PENDING_ACTION'];

/** Provider calls: transient faults (5xx, timeouts, resets) retry with backoff; business outcomes never do. */
const PROVIDER_CALL_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30s',
  heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
  scheduleToCloseTimeout: '5m',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts: 8,
    nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES,
  },
};

/**
 * Refund calls retry less than a charge: a refund whose answers are lost is resolved by asking the provider and
 * trying again later with the same key, for as long as it takes, instead of being given up as refused.
 */
const REFUND_CALL_OPTIONS: ActivityOptions = {
  ...PROVIDER_CALL_OPTIONS,
  scheduleToCloseTimeout: '2m',
  retry: { ...PROVIDER_CALL_OPTIONS.retry, maximumInterval: '10s', maximumAttempts: 5 },
};

/**
 * One card payment, durable from the first call to the last refund: prepare at the provider, submit the card
 * from the process that holds it, then finish (frictionless) or wait for the 3-D Secure challenge (webhook,
 * merchant signal or status poll), confirming with the provider before any final state.
 */
export async function paymentWorkflow(input: PaymentWorkflowInput): Promise<PaymentView> {
  const { request } = input;
  const timing: Required<PaymentTiming> = { ...DEFAULT_TIMING, ...input.timing };
  const label = PROVIDER_LABELS[request.provider];
  const record = new PaymentRecord(input);
  const handover = new CardHandover(input.requestFingerprint, input.cardSource.kind === 'vault' ? input.cardSource : undefined);
  /** The card the last submission carried (a repeated request may hand over another). */
  let submittedCard = input.cardSource;
  // Webhooks are claims (Trustist's are unsigned): what the payment keeps of them is bounded, see WebhookHints.
  const hints = new WebhookHints(MAX_WEBHOOK_IDS_CHECKED, Date.now());
  const paymentScope = new CancellationScope();
  let handle: ProviderPaymentHandle | undefined;
  let hintArrived = false;
  /**
   * Provider payment ids named by webhooks, in arrival order. Each is only a claim (Trustist webhooks are unsigned):
   * it is trusted once the status endpoint confirms it, so a forged id named first cannot hide the genuine one.
   */
  const webhookPaymentIds = hints.claimedPaymentIds;
  let cancelReason: string | undefined;
  let settled = false;
  let refundInFlight = false;
  let refundSequence = 0;
  /** False once the refund window is over or the payment was cancelled: refunds still pending finish, no new ones start. */
  let acceptingRefunds = true;

  // Provider calls run on a task queue per provider, whose workers enforce that provider's rate limit.
  const providerQueue = providerTaskQueue(workflowInfo().taskQueue, request.provider);
  const provider = (summary: string) =>
    proxyActivities<PaymentActivities>({ ...PROVIDER_CALL_OPTIONS, taskQueue: providerQueue, summary: `${label}: ${summary}` });
  const refundCalls = (summary: string) =>
    proxyActivities<PaymentActivities>({ ...REFUND_CALL_OPTIONS, taskQueue: providerQueue, summary: `${label}: ${summary}` });
  const cardText = request.card ? `${request.card.brand} ****${request.card.last4}` : 'card';
  const cardVault = (taskQueue: string) =>
    proxyActivities<CardVaultActivities>({
      taskQueue,
      // The card exists only in the memory of the process that received it: if it cannot pick the task up
      // quickly, it is gone, and waiting longer cannot bring the card back.
      scheduleToStartTimeout: timing.cardPickupTimeoutMs,
      startToCloseTimeout: '45s',
      heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES },
      summary: `${label}: submit card ${cardText}`,
    });
  const submitCard = (current: ProviderPaymentHandle, source: CardSource) => {
    if (source.kind === 'hosted') throw ApplicationFailure.nonRetryable('a hosted-form payment has no card to submit', PaymentFailureType.CardDataUnavailable);
    return source.kind === 'vault'
      ? cardVault(source.taskQueue).submitCardFromVault({ request, handle: current, vaultHandle: source.handle })
      : provider(`charge stored card ${cardText}`).submitTokenizedCard({
          request,
          handle: current,
          paymentMethodToken: source.paymentMethodToken,
        });
  };

  setHandler(paymentStateQuery, () => record.view());
  setHandler(refundRequestQuery, (refundId) => {
    const entry = record.refunds.find(refundId);
    return { paymentStatus: record.status, ...(entry ? { refund: { ...entry.view }, requestFingerprint: entry.requestFingerprint } : {}) };
  });
  setHandler(firstOutcomeUpdate, async (offer) => {
    if (!record.firstOutcomeKnown) handover.offer(offer);
    await condition(() => record.firstOutcomeKnown);
    return { payment: record.view(), startRequestId: input.startRequestId };
  });
  setHandler(providerEventSignal, (event) => {
    if (hints.hasSeen(event.eventId)) return;
    hints.record(event, Date.now());
    hintArrived = true;
  });
  setHandler(
    providerEventUpdate,
    (event) => {
      hints.record(event, Date.now());
      hintArrived = true;
    },
    { validator: (event) => hints.admit(event, { awaited: WAITS_FOR_WEBHOOKS.includes(record.status), hintPending: hintArrived, now: Date.now() }) },
  );
  setHandler(challengeCompletedSignal, () => {
    hintArrived = true;
  });
  setHandler(
    cancelPaymentUpdate,
    async ({ reason }) => {
      cancelReason ??= reason;
      paymentScope.cancel();
      await condition(() => settled);
      return record.view();
    },
    {
      validator: ({ reason }) => {
        requireReason(reason);
        if (FINAL_STATUSES.includes(record.status)) throw new Error(`payment is already ${record.status}`);
        // Run beside a refund, the cancellation would refund the same money a second time.
        if (refundInFlight || record.refunds.hasPending) {
          throw ApplicationFailure.nonRetryable('a refund of this payment is in progress; cancel once it has settled', RefundRejection.RefundInProgress);
        }
      },
    },
  );
  setHandler(
    refundPaymentUpdate,
    async ({ amountMinor, reason }) => {
      refundInFlight = true;
      try {
        await refund(amountMinor ?? record.remainingMinor, reason);
      } finally {
        refundInFlight = false;
      }
      return record.view();
    },
    {
      validator: ({ amountMinor, reason }) => {
        requireReason(reason);
        if (record.status !== 'COMPLETE') throw new Error(`only a COMPLETE payment can be refunded; this one is ${record.status}`);
        if (refundInFlight || record.refunds.hasPending) throw new Error('another refund of this payment is in progress');
        if (amountMinor !== undefined) {
          if (!Number.isInteger(amountMinor) || amountMinor <= 0) throw new Error('amountMinor must be a positive integer');
          if (amountMinor > record.remainingMinor) throw new Error(`amountMinor exceeds the refundable ${record.remainingMinor}`);
        }
      },
    },
  );

  setHandler(
    requestRefundUpdate,
    async (ask) => {
      // The validator let a known id through only with the same request: a replay gets the refund as it stands.
      const entry =
        record.refunds.find(ask.refundId) ??
        record.refunds.open({
          id: ask.refundId,
          providerKey: ask.refundId,
          requestFingerprint: ask.requestFingerprint,
          amountMinor: ask.amountMinor ?? record.refundableMinor,
          reason: ask.reason,
        });
      await condition(() => entry.view.status !== 'PENDING', timing.refundAnswerWithinMs);
      return refundOutcome(entry.view.id);
    },
    {
      validator: (ask) => {
        requireReason(ask.reason);
        if (typeof ask.refundId !== 'string' || !REFUND_ID_PATTERN.test(ask.refundId)) throw new Error('refundId must be re_ and 1 to 64 letters, digits or underscores');
        const known = record.refunds.find(ask.refundId);
        if (known) {
          if (known.requestFingerprint !== ask.requestFingerprint) {
            throw ApplicationFailure.nonRetryable('this Idempotency-Key was used with a different refund request', RefundRejection.IdempotencyConflict);
          }
          return;
        }
        if (record.status !== 'COMPLETE') throw new Error(`only a COMPLETE payment can be refunded; this one is ${record.status}`);
        if (!acceptingRefunds || cancelReason !== undefined) throw new Error('the payment is being cancelled or its refund window is over');
        if (refundInFlight) throw ApplicationFailure.nonRetryable('another refund of this payment is in progress', RefundRejection.RefundInProgress);
        const refundable = record.refundableMinor;
        if (ask.amountMinor !== undefined) {
          if (!Number.isInteger(ask.amountMinor) || ask.amountMinor <= 0) throw new Error('amountMinor must be a positive integer');
          if (ask.amountMinor > refundable) {
            throw ApplicationFailure.nonRetryable(`amountMinor exceeds the refundable ${refundable} (pending refunds count)`, RefundRejection.AmountExceedsRefundable);
          }
        } else if (refundable <= 0) {
          throw ApplicationFailure.nonRetryable('nothing is left to refund (pending refunds count)', RefundRejection.AmountExceedsRefundable);
        }
      },
    },
  );
  setHandler(cancelOwnedPaymentSignal, ({ reason }) => {
    // Sent by the reservation that owns the charge; refunds in flight settle first (see compensate).
    if (settled || FINAL_STATUSES.includes(record.status)) return;
    cancelReason ??= reason;
    paymentScope.cancel();
  });

  setHandler(reconciliationFindingSignal, async (finding) => {
    if (!patched(RECHECK_PATCH)) return;
    const markRecon = (value: ReconStatus) => upsertSearchAttributes([{ key: ReconStatusKey, value }]);
    record.note(`reconciliation: ${finding.reason}`);
    markRecon(finding.reconStatus);
    if (WAITS_FOR_WEBHOOKS.includes(record.status)) {
      // Waiting for an outcome the provider may already have: the same status check a webhook would cause.
      hintArrived = true;
      await condition(() => !WAITS_FOR_WEBHOOKS.includes(record.status));
      if (finding.reconStatus === 'RECHECKING') markRecon('HEALED');
      return;
    }
    // Settled here: nothing to heal, only re-confirm with the provider and record its answer for the operator.
    const current = handle;
    if (!current?.providerPaymentId) return;
    try {
      const status = await provider('re-check status for reconciliation').fetchProviderStatus({ request, handle: current });
      record.note(`re-checked with ${label}: ${status.state}, refunded ${status.refundedMinor ?? 0} ${request.currency} minor units there, ${record.refundedMinor} here`);
    } catch (error) {
      record.note(`re-check with ${label} failed: ${failureMessage(error)}`);
    }
  });

  function refundOutcome(refundId: string): RefundOutcome {
    const payment = record.view();
    const refund = payment.refunds.find((view) => view.id === refundId);
    if (!refund) throw new Error(`refund ${refundId} is not in the payment's records`);
    return { refund, payment };
  }

  /** Tells the reservation that owns this charge what the payment is now; it may be closed, which is no failure. */
  async function notifyOwner(): Promise<void> {
    const owner = input.owner;
    if (!owner) return;
    await CancellationScope.nonCancellable(async () => {
      try {
        await getExternalWorkflowHandle(owner.reservationId).signal(ownedPaymentChangedSignal, record.view());
      } catch (error) {
        record.note(`reservation ${owner.reservationId} could not be told: ${failureMessage(error)}`);
      }
    });
  }

  /** Refunds reach the provider one at a time, oldest first, each resolved before the next starts. */
  async function runRefundDesk(): Promise<void> {
    for (;;) {
      await condition(() => record.refunds.hasPending);
      const entry = record.refunds.nextPending() as ReturnType<PaymentRefunds['open']>;
      await resolveRefund(entry);
      record.waitFor(record.status === 'COMPLETE' && acceptingRefunds ? 'refund requests' : undefined);
      await notifyOwner();
    }
  }

  /**
   * Asks the provider for the refund until it says yes or no. An answer that is lost (timeouts, 5xx, a garbled body)
   * is no "no": the provider is asked whether the refund happened, and if not, asked again with the same key.
   */
  async function resolveRefund(entry: ReturnType<PaymentRefunds['open']>): Promise<void> {
    const { view } = entry;
    const current = handle;
    if (!current) {
      record.refunds.fail(entry, { code: 'nothing_to_refund', message: 'nothing was charged, so nothing can be refunded' });
      return;
    }
    for (let round = 0; ; round += 1) {
      record.waitFor(`${label} to refund ${view.amountMinor} ${request.currency} (refund ${view.id})`);
      try {
        const result = await refundCalls(`refund ${view.amountMinor} ${request.currency}`).refundAtProvider({
          request,
          handle: current,
          refund: { amountMinor: view.amountMinor, currency: request.currency, reason: view.reason, idempotencyKey: entry.providerKey },
        });
        settleRefund(entry, result.refundId);
        return;
      } catch (error) {
        if (isRefusal(error)) {
          record.refunds.fail(entry, { code: 'refund_refused', message: `${label} refused the refund: ${failureMessage(error)}` });
          record.note(`refund ${view.id} refused by ${label}`);
          return;
        }
        if (round === 0) record.note(`refund ${view.id}: no answer from ${label} (${failureMessage(error)}); finding out whether it happened`);
      }
      const providerRefundId = await refundFoundAtProvider(entry, current);
      if (providerRefundId !== undefined) {
        settleRefund(entry, providerRefundId);
        return;
      }
      const delays = timing.refundRetryDelaysMs;
      record.waitFor(`${label} to answer about refund ${view.id} (asking again in ${describeDuration(delays[Math.min(round, delays.length - 1)] ?? 60_000)})`);
      await sleep(delays[Math.min(round, delays.length - 1)] ?? 60_000);
    }
  }

  /** The provider's refund id when it holds this refund, '' when it holds it without naming it, undefined when not (or unknown). */
  async function refundFoundAtProvider(entry: ReturnType<PaymentRefunds['open']>, current: ProviderPaymentHandle): Promise<string | undefined> {
    try {
      const lookup = await refundCalls('look up the refund by its key').findRefundAtProvider({ request, handle: current, idempotencyKey: entry.providerKey });
      if (lookup.supported) return lookup.refund?.refundId;
      // No refund list (Trustist): refunds reach the provider one at a time, so the refunded total tells.
      const status = await refundCalls('read the refunded total').fetchProviderStatus({ request, handle: current });
      const unexplained = (status.refundedMinor ?? 0) - record.refundedMinor;
      return unexplained === entry.view.amountMinor ? '' : undefined;
    } catch {
      return undefined;
    }
  }

  function settleRefund(entry: ReturnType<PaymentRefunds['open']>, providerRefundId: string): void {
    const { view } = entry;
    record.refunds.succeed(entry, providerRefundId);
    record.refundedMinor += view.amountMinor;
    if (record.remainingMinor <= 0) record.moveTo('REFUNDED', `refund ${view.id}: ${view.reason}`);
    else {
      record.note(`refunded ${view.amountMinor} ${request.currency} (refund ${view.id}): ${view.reason}`);
      record.refundedInPart(view.id);
    }
  }

  async function refund(amountMinor: number, reason: string): Promise<void> {
    if (!handle) throw ApplicationFailure.nonRetryable('nothing was charged, so nothing can be refunded', 'NothingToRefund');
    refundSequence += 1;
    record.waitFor(`${label} to refund ${amountMinor} ${request.currency}`);
    try {
      const result = await provider('refund').refundAtProvider({
        request,
        handle,
        refund: { amountMinor, currency: request.currency, reason, idempotencyKey: `${request.paymentId}-refund-${refundSequence}` },
      });
      record.refundedMinor += result.amountMinor;
      if (record.remainingMinor <= 0) record.moveTo('REFUNDED', reason);
      else {
        record.note(`refunded ${result.amountMinor} ${request.currency}: ${reason}`);
        record.refundedInPart();
      }
    } catch (error) {
      throw ApplicationFailure.nonRetryable(`${label} refused the refund: ${failureMessage(error)}`, 'RefundRefused');
    } finally {
      record.waitFor(record.status === 'COMPLETE' ? 'refund requests' : undefined);
    }
  }

  function settleFromProvider(status: ProviderStatus, how: string): boolean {
    switch (status.state) {
      case 'COMPLETE':
        record.moveTo('COMPLETE', `confirmed by ${label} status (${how})`);
        return true;
      case 'FAILED':
        record.failure = { code: status.failureCode ?? 'authentication_failed', message: `${label} reports the payment failed` };
        record.moveTo('FAILED', `confirmed by ${label} status (${how})`);
        return true;
      case 'CANCELLED':
        record.moveTo('CANCELLED', `${label} reports the payment cancelled (${how})`);
        return true;
      default:
        return false;
    }
  }

  async function awaitChallenge(current: ProviderPaymentHandle, step: ShopperStep = CHALLENGE_STEP): Promise<void> {
    const deadline = Date.now() + timing.challengeTimeoutMs;
    let pollIndex = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const delays = timing.statusPollDelaysMs;
      const delay = Math.min(delays[Math.min(pollIndex, delays.length - 1)] ?? remaining, remaining);
      record.waitFor(`${step.waiting}: a ${label} webhook, the merchant's signal, or a status poll in ${describeDuration(delay)}`);
      const hinted = await condition(() => hintArrived, delay, { summary: step.summary });
      hintArrived = false;
      if (!hinted) pollIndex += 1;
      try {
        const status = await provider(hinted ? 'confirm status after a hint' : 'poll status').fetchProviderStatus({ request, handle: current });
        // A hosted form's card is known only to the provider: show its brand and last four once it says.
        if (!request.card && status.card) record.card = status.card;
        if (settleFromProvider(status, hinted ? 'after a webhook or merchant signal' : 'by polling')) return;
      } catch (error) {
        // The status endpoint failing is no outcome: keep waiting until the challenge deadline.
        record.note(`status check failed: ${failureMessage(error)}`);
      }
    }
    record.waitFor(`${label} to cancel the abandoned ${step === CHALLENGE_STEP ? 'challenge' : 'hosted card form'}`);
    if (await cancelOrConfirm(current)) return;
    record.failure = { code: step.expiredCode, message: step.expiredMessage(describeDuration(timing.challengeTimeoutMs)) };
    record.moveTo('EXPIRED');
  }

  /** Cancels at the provider; true when the provider had charged after all (then the payment is COMPLETE). */
  async function cancelOrConfirm(current: ProviderPaymentHandle): Promise<boolean> {
    // Without a provider payment id nothing exists at the provider (Trustist before submission).
    if (!current.providerPaymentId) return false;
    try {
      const result = await provider('cancel payment').cancelAtProvider({ request, handle: current });
      if (result.cancelled) return false;
    } catch (error) {
      record.note(`cancel at ${label} failed: ${failureMessage(error)}`);
    }
    try {
      const status = await provider('confirm status after cancel').fetchProviderStatus({ request, handle: current });
      return settleFromProvider(status, 'after cancelling') && record.status === 'COMPLETE';
    } catch (error) {
      record.note(`status after cancel unknown, reconcile with ${label}: ${failureMessage(error)}`);
      return false;
    }
  }

  async function runPayment(): Promise<void> {
    record.waitFor(`${label} to create the payment`);
    try {
      handle = await provider('create payment').preparePayment(request);
    } catch (error) {
      record.failure = toFailure(error);
      record.moveTo('FAILED', 'the provider did not create the payment');
      return;
    }
    record.providerPaymentId = handle.providerPaymentId;
    record.moveTo('SUBMITTED');
    if (input.cardSource.kind === 'hosted' && patched(HOSTED_FORM_PATCH)) {
      await awaitHostedForm(handle);
    } else {
      await submitAndSettle(handle);
    }
    if (record.status === 'COMPLETE') await notifyOwner();
    if (record.status === 'COMPLETE' && timing.refundWindowMs > 0) {
      record.waitFor('refund requests');
      await condition(() => record.status !== 'COMPLETE', timing.refundWindowMs, { summary: 'Refund window' });
    }
  }

  /**
   * Option A: the shopper's browser opens the provider's hosted form and types the card there, so nothing is
   * submitted from here; the first outcome is PENDING_ACTION with the form's URL, then the payment waits as for a
   * challenge (webhook, merchant signal or status poll, confirmed with the provider) and cancels an abandoned form.
   */
  async function awaitHostedForm(current: ProviderPaymentHandle): Promise<void> {
    const url = current.extra?.hostedFormUrl;
    if (!url) {
      record.failure = { code: 'hosted_form_unavailable', message: `${label} offered no hosted card form for this payment` };
      record.moveTo('FAILED', 'no hosted card form');
      return;
    }
    record.nextAction = { type: 'redirect', url };
    record.moveTo('PENDING_ACTION', `hosted card form: the shopper enters the card on ${label}'s Secure Card Service`);
    await awaitChallenge(current, HOSTED_FORM_STEP);
  }

  async function submitAndSettle(current: ProviderPaymentHandle): Promise<void> {
    record.waitFor(`the card submission to ${label}`);
    try {
      await settleSubmission(current, await submitWithHandover(current));
    } catch (error) {
      if (isCancellation(error)) throw error;
      await settleSubmissionFailure(current, error);
    }
  }

  async function settleSubmission(current: ProviderPaymentHandle, outcome: SubmissionOutcome): Promise<void> {
    handle = { ...current, providerPaymentId: outcome.providerPaymentId };
    record.providerPaymentId = outcome.providerPaymentId;
    if (outcome.kind === 'approved') {
      record.moveTo('COMPLETE', 'frictionless approval');
    } else {
      record.nextAction = { type: 'redirect', url: outcome.challengeUrl };
      record.moveTo('PENDING_ACTION', '3-D Secure challenge required');
      await awaitChallenge(handle);
    }
  }

  /** Submits the card; one lost before the provider saw it is replaced by a card a repeated request hands over. */
  async function submitWithHandover(current: ProviderPaymentHandle): Promise<SubmissionOutcome> {
    for (;;) {
      try {
        // Non-cancellable: a cancellation waits until the provider's answer is known, so it is never guessed.
        return await CancellationScope.nonCancellable(() => submitCard(current, submittedCard));
      } catch (error) {
        const replacement = await handedOverCard(current, error);
        if (!replacement) throw error;
        submittedCard = replacement;
      }
    }
  }

  async function handedOverCard(current: ProviderPaymentHandle, error: unknown): Promise<VaultCardSource | undefined> {
    // Child payments (reservations) get no repeated requests: their parent decides what a lost card means.
    if (!cardWasLost(error) || workflowInfo().parent !== undefined || handover.handovers >= MAX_CARD_HANDOVERS) return undefined;
    if (!patched(CARD_HANDOVER_PATCH)) return undefined;
    // A lost answer can hide a charge made with the lost card (TurnStay names the payment up front): then the
    // status check after the failure settles it and no new card is needed.
    if (current.providerPaymentId && (await providerShowsCharge(current))) return undefined;
    record.waitFor(`the card again: it was lost before ${label} saw it; the merchant's repeated request (same body and Idempotency-Key) hands its card over`);
    const card = await handover.take(timing.cardHandoverWindowMs);
    if (card) record.note('card handed over by a repeated request');
    return card;
  }

  async function providerShowsCharge(current: ProviderPaymentHandle): Promise<boolean> {
    try {
      return (await provider('status before taking a new card').fetchProviderStatus({ request, handle: current })).state === 'COMPLETE';
    } catch {
      // Unknown is not "charged": the provider takes a card once per payment, so a handed-over card cannot charge twice.
      return false;
    }
  }

  async function settleSubmissionFailure(current: ProviderPaymentHandle, error: unknown): Promise<void> {
    const failure = toFailure(error);
    if (isDecline(error)) {
      record.failure = failure;
      record.moveTo('DECLINED', failure.code);
      return;
    }
    // The answer was lost (retries exhausted or a garbled body): where the provider can be asked, ask it before
    // calling the payment failed, so a charge that did happen is never reported as a failure. That includes a card
    // vault process that died after the provider charged but before it answered (card_data_unavailable on retry).
    if (current.providerPaymentId) {
      if (await confirmedCharge(current, current.providerPaymentId)) return;
    } else if (mayHaveReachedProvider(error) && timing.lostAnswerGraceMs > 0) {
      // Trustist names its payment only in the lost answer; its webhook names it too, so wait a while for one,
      // and check every id the webhooks name until one is confirmed or the wait is over.
      record.waitFor(`a ${label} webhook naming the payment (the card submission's answer was lost)`);
      const deadline = Date.now() + timing.lostAnswerGraceMs;
      for (let checked = 0; checked < MAX_WEBHOOK_IDS_CHECKED; checked += 1) {
        if (webhookPaymentIds.length <= checked) {
          const remainingMs = deadline - Date.now();
          const named = remainingMs > 0 && (await condition(() => webhookPaymentIds.length > checked, remainingMs, { summary: 'Wait for a webhook after a lost answer' }));
          if (!named) break;
        }
        if (await confirmedCharge(current, webhookPaymentIds[checked] as string)) return;
      }
      if (patched(LOST_ANSWER_ASKS_PROVIDER_PATCH) && (await resubmittedAfterLostAnswer(current))) return;
    }
    record.failure = failure;
    record.moveTo('FAILED', failure.code);
  }

  /**
   * No webhook named the payment: send the same card again. The provider is idempotent on our reference (Trustist:
   * "retries will not double-charge"), so the answer names the payment the lost answer hid, or makes the only one.
   * Returns false when the card is gone or the provider stays silent: nothing more can be learnt from it.
   */
  async function resubmittedAfterLostAnswer(current: ProviderPaymentHandle): Promise<boolean> {
    for (let round = 0; round < LOST_ANSWER_RESUBMISSIONS; round += 1) {
      record.waitFor(`${label} to answer the card submission sent again (its first answer was lost)`);
      try {
        const outcome = await CancellationScope.nonCancellable(() => submitCard(current, submittedCard));
        record.note('card sent again after a lost answer; the provider answered');
        await settleSubmission(current, outcome);
        return true;
      } catch (error) {
        if (isCancellation(error)) throw error;
        if (isDecline(error)) return (await settleSubmissionFailure(current, error), true);
        record.note(`card sent again after a lost answer: ${failureMessage(error)}`);
        if (!mayHaveReachedProvider(error) || !providerSilent(error)) return false;
        await sleep(LOST_ANSWER_RESUBMIT_DELAY_MS * 2 ** round);
      }
    }
    return false;
  }

  /** Asks the provider whether this payment id is ours and charged; if so the payment settles from that answer. */
  async function confirmedCharge(current: ProviderPaymentHandle, providerPaymentId: string): Promise<boolean> {
    const asked = { ...current, providerPaymentId };
    try {
      const status = await provider('confirm status after a failed submission').fetchProviderStatus({ request, handle: asked });
      if (status.state !== 'COMPLETE') return false;
      handle = asked;
      record.providerPaymentId = providerPaymentId;
      return settleFromProvider(status, 'after a failed submission');
    } catch (statusError) {
      record.note(`status check failed: ${failureMessage(statusError)}`);
      if (!providerSilent(statusError) || !patched(LOST_ANSWER_ASKS_PROVIDER_PATCH)) return false;
      return keptAsking(asked);
    }
  }

  /** The status endpoint did not answer either: a lost answer is settled by the provider, so keep asking with backoff. */
  async function keptAsking(asked: ProviderPaymentHandle): Promise<boolean> {
    for (let round = 0; ; round += 1) {
      const delayMs = Math.min(LOST_ANSWER_RESUBMIT_DELAY_MS * 2 ** round, MAX_STATUS_ASK_DELAY_MS);
      record.waitFor(`${label}'s status endpoint, asked again in ${describeDuration(delayMs)} (the card submission's answer was lost)`);
      await sleep(delayMs);
      try {
        const status = await provider('confirm status after a lost answer').fetchProviderStatus({ request, handle: asked });
        if (status.state !== 'COMPLETE') return false;
        handle = asked;
        record.providerPaymentId = asked.providerPaymentId;
        return settleFromProvider(status, 'after a lost answer');
      } catch (statusError) {
        if (!providerSilent(statusError)) return false;
        record.note(`status check failed: ${failureMessage(statusError)}`);
      }
    }
  }

  /**
   * A cancellation's refund: after the refunds already asked for (one owner, one order), it refunds what is left, and
   * waits for the provider only as long as a refund request would; the refund desk finishes it before the run ends.
   */
  async function refundTheRest(reason: string): Promise<void> {
    await condition(() => !record.refunds.hasPending);
    if (record.status !== 'COMPLETE' || record.refundableMinor <= 0 || record.refunds.find(CANCEL_REFUND_ID)) return;
    const entry = record.refunds.open({
      id: CANCEL_REFUND_ID,
      providerKey: `${request.paymentId}-refund-cancel`,
      requestFingerprint: CANCEL_REFUND_ID,
      amountMinor: record.refundableMinor,
      reason,
    });
    await condition(() => entry.view.status !== 'PENDING', timing.refundAnswerWithinMs);
  }

  /** Runs when the payment is cancelled (API or Web UI): undo whatever money moved, or say why it could not. */
  async function compensate(reason: string): Promise<void> {
    const current = handle;
    const statusBefore = record.status;
    if (statusBefore === 'CREATED' || statusBefore === 'SUBMITTED' || statusBefore === 'PENDING_ACTION') {
      // Not charged as far as we know: cancel at the provider, which may reveal a charge after all.
      const chargedAfterAll = current ? await cancelOrConfirm(current) : false;
      if (!chargedAfterAll) {
        if (!FINAL_STATUSES.includes(record.status)) record.moveTo('CANCELLED', reason);
        return;
      }
    } else if (statusBefore !== 'COMPLETE') {
      return;
    }
    if (patched(REFUNDS_HAVE_IDS)) {
      await refundTheRest(`cancelled after the charge: ${reason}`);
      return;
    }
    try {
      await refund(record.remainingMinor, `cancelled after the charge: ${reason}`);
    } catch (error) {
      record.note(`cancellation could not refund the charge: ${failureMessage(error)}`);
    }
  }

  // Not cancellable: a refund asked of the provider is seen through even if the run is cancelled meanwhile.
  void CancellationScope.nonCancellable(runRefundDesk);
  try {
    await paymentScope.run(runPayment);
  } catch (error) {
    if (!isCancellation(error)) throw error;
    await CancellationScope.nonCancellable(() => compensate(cancelReason ?? 'cancelled by an operator'));
  } finally {
    settled = true;
    acceptingRefunds = false;
  }
  await CancellationScope.nonCancellable(() => condition(() => !record.refunds.hasPending));
  record.waitFor(undefined);
  await condition(allHandlersFinished);
  await notifyOwner();
  await condition(() => record.eventsPublished);
  return record.view();
}

function requireReason(reason: unknown): void {
  if (typeof reason !== 'string' || reason.trim().length === 0 || reason.length > 200) {
    throw new Error('reason must be a string of 1 to 200 characters');
  }
}

function applicationFailureOf(error: unknown): ApplicationFailure | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/** The provider's "no" to a refund: only then is a refund FAILED. Anything else may have moved the money. */
function isRefusal(error: unknown): boolean {
  const type = applicationFailureOf(error)?.type;
  return type === PaymentFailureType.OperationRefused || type === PaymentFailureType.InvalidRequest;
}

function isDecline(error: unknown): boolean {
  return applicationFailureOf(error)?.type === PaymentFailureType.CardDeclined;
}

/** The card was not there to submit: its process did not pick the submission up, or no longer held the card. */
function cardWasLost(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') return true;
  return applicationFailureOf(error)?.type === PaymentFailureType.CardDataUnavailable;
}

/** The provider gave no answer at all (retries exhausted on 5xx, timeouts, resets), as opposed to a refusal. */
function providerSilent(error: unknown): boolean {
  const type = applicationFailureOf(error)?.type;
  return !(NON_RETRYABLE_PAYMENT_FAILURES as readonly string[]).includes(type ?? '');
}

/** False when the provider certainly did not take the card: the vault never picked it up, or the provider refused the request. */
function mayHaveReachedProvider(error: unknown): boolean {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') return false;
  const type = applicationFailureOf(error)?.type;
  return type !== PaymentFailureType.InvalidRequest && type !== PaymentFailureType.ProviderAuthenticationFailed;
}

function failureMessage(error: unknown): string {
  const cause = error instanceof ActivityFailure && error.cause ? error.cause : error;
  return cause instanceof Error ? cause.message : String(cause);
}

function toFailure(error: unknown): { code: string; message: string } {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'SCHEDULE_TO_START') {
    return { code: 'card_data_unavailable', message: 'card data must be re-submitted: the process that held it did not pick up the submission' };
  }
  const failure = applicationFailureOf(error);
  switch (failure?.type) {
    case PaymentFailureType.CardDeclined: {
      const [details] = (failure.details ?? []) as [{ code?: string } | undefined];
      return { code: details?.code ?? 'card_declined', message: failure.message };
    }
    case PaymentFailureType.CardDataUnavailable:
      return { code: 'card_data_unavailable', message: failure.message };
    case PaymentFailureType.MalformedProviderResponse:
      return { code: 'malformed_provider_response', message: failure.message };
    case PaymentFailureType.InvalidRequest:
      return { code: 'rejected_by_provider', message: failure.message };
    case PaymentFailureType.ProviderAuthenticationFailed:
      return { code: 'provider_authentication_failed', message: failure.message };
    default:
      return { code: 'provider_unavailable', message: failureMessage(error) };
  }
}
