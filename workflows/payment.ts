import {
  ApplicationFailure,
  CancellationScope,
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
import type { OwnerReportActivities } from '../activities/owner-report-activities';
import { PaymentFailureType, NON_RETRYABLE_PAYMENT_FAILURES } from '../activities/payment-failure-types';
import type { PreparedSubmission, ProviderPaymentHandle, ProviderStatus, SubmissionOutcome } from '../activities/provider-adapter';
import { cardWasLost, failureMessage, isDecline, mayHaveReachedProvider, providerSilent, requireReason, toFailure } from './payment-failures';
import { settlementOf } from './provider-settlement';
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
  supersedeScheduledPaymentSignal,
} from './messages';
import { CardHandover } from './card-handover';
import { PaymentRecord } from './payment-record';
import { SUPERSEDED_FAILURE_CODE, type CardSource, type PaymentOwnTiming, type PaymentWorkflowInput, type PaymentView, type VaultCardSource } from './payment-types';
import { describeDuration } from './describe-duration';
import { DEFAULT_REFUND_ANSWER_WITHIN_MS, RefundRejection, type RefundOutcome, type RequestRefundInput } from './refund-types';
import { WebhookHints } from './webhook-hints';
import { RefundDesk, type RefundDeskPayment } from './payment-refund-desk';
import { ReconStatusKey } from './search-attributes';
import type { ReconciliationFinding, ReconStatus } from './reconciliation-types';
import { WORKER_LIVENESS_TIMEOUT } from './worker-liveness';
import { quickLocalActivities } from './quick-local-activity';

const DEFAULT_TIMING: PaymentOwnTiming = {
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

/**
 * Versions the charge of a card held by the process that received it (issue 17): that process creates the payment at
 * the provider and submits the card in one activity, one activity and one workflow task fewer per payment (a
 * frictionless payment: 7 state transitions instead of 11). Histories from before it create the payment from the
 * provider's queue first; so does the new path when the one activity fails, to learn the payment it settles.
 */
const ONE_TASK_CHARGE_PATCH = 'create-and-submit-in-card-process';
/**
 * Versions the same for a card on file (a reservation's charge with the provider's token): created and submitted in
 * one activity on the provider's queue, 10 state transitions per charge instead of 14. Histories from before it
 * create the payment first, then submit the token.
 */
const ONE_TASK_TOKEN_CHARGE_PATCH = 'create-and-submit-token-in-one-task';

/**
 * Versions how a reservation's charge tells its reservation: a local activity signals it within the payment's workflow
 * task (a charge's payment: 2 workflow tasks, 7 state transitions instead of 3 and 10); histories from before it send
 * a signal command, whose completion the server answers with a workflow task of its own. So does the new path when
 * the local activity fails.
 */
const OWNER_REPORT_PATCH = 'owner-report-by-local-activity';
/** Versions the reconciliation sweep's finding: histories from before it never acted on the signal. */
const RECHECK_PATCH = 'recheck-signal';

/** Ids named by webhooks that a lost answer checks at most: each costs a status call, and webhooks can be forged. */
const MAX_WEBHOOK_IDS_CHECKED = 10;

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
  const payment = new PaymentWorkflow(input);
  payment.listen();
  return payment.run();
}

/**
 * The payment's state and its named transitions (as Temporal's safe-message-handlers sample keeps a workflow's state
 * in a class): the message handlers, the charge (create, submit, settle), the lost-answer recovery, the challenge
 * wait, cancellation and the refund desk each read the same fields instead of one closure's shared variables.
 */
class PaymentWorkflow implements RefundDeskPayment {
  readonly request: PaymentWorkflowInput['request'];
  readonly timing: PaymentOwnTiming;
  /** How notes, waits and activity summaries name the provider. */
  readonly label: string;
  readonly record: PaymentRecord;
  private readonly handover: CardHandover;
  /** The card the last submission carried (a repeated request may hand over another). */
  private submittedCard: CardSource;
  // Webhooks are claims (Trustist's are unsigned): what the payment keeps of them is bounded, see WebhookHints.
  private readonly hints = new WebhookHints(MAX_WEBHOOK_IDS_CHECKED, Date.now());
  private readonly paymentScope = new CancellationScope();
  /** What creating the payment at the provider returned; the provider payment id lives in the record (see `handle`). */
  private prepared?: ProviderPaymentHandle;
  private hintArrived = false;
  private cancelReason?: string;
  private settled = false;
  /** Set as the run begins: from then on a supersede from the owning reservation comes too late and is ignored. */
  private started = false;
  /** Why the owning reservation superseded this payment before it ran (it was created ahead, its start delayed). */
  private supersededFor?: string;
  private refundInFlight = false;
  /** False once the refund window is over or the payment was cancelled: refunds still pending finish, no new ones start. */
  acceptingRefunds = true;
  private readonly refundDesk = new RefundDesk(this);
  /** Provider calls run on a task queue per provider, whose workers enforce that provider's rate limit. */
  private readonly providerQueue: string;
  private readonly cardText: string;

  constructor(private readonly input: PaymentWorkflowInput) {
    this.request = input.request;
    this.timing = { ...DEFAULT_TIMING, ...input.timing };
    this.label = input.providerLabel ?? input.request.provider;
    this.record = new PaymentRecord(input);
    this.handover = new CardHandover(input.requestFingerprint, input.cardSource.kind === 'vault' ? input.cardSource : undefined);
    this.submittedCard = input.cardSource;
    this.providerQueue = providerTaskQueue(workflowInfo().taskQueue, input.request.provider);
    this.cardText = input.request.card ? `${input.request.card.brand} ****${input.request.card.last4}` : 'card';
  }

  /** The handle provider calls take: the prepared one with the payment id the record holds once it is known. */
  get handle(): ProviderPaymentHandle | undefined {
    return this.prepared && { ...this.prepared, providerPaymentId: this.record.providerPaymentId };
  }

  /**
   * Provider payment ids named by webhooks, in arrival order. Each is only a claim (Trustist webhooks are unsigned):
   * it is trusted once the status endpoint confirms it, so a forged id named first cannot hide the genuine one.
   */
  private get webhookPaymentIds(): string[] {
    return this.hints.claimedPaymentIds;
  }

  provider(summary: string) {
    return proxyActivities<PaymentActivities>({ ...PROVIDER_CALL_OPTIONS, taskQueue: this.providerQueue, summary: `${this.label}: ${summary}` });
  }

  refundCalls(summary: string) {
    return proxyActivities<PaymentActivities>({ ...REFUND_CALL_OPTIONS, taskQueue: this.providerQueue, summary: `${this.label}: ${summary}` });
  }

  private cardVault(taskQueue: string, summary = `submit card ${this.cardText}`) {
    return proxyActivities<CardVaultActivities>({
      taskQueue,
      // The card exists only in the memory of the process that received it: if it cannot pick the task up
      // quickly, it is gone, and waiting longer cannot bring the card back.
      scheduleToStartTimeout: this.timing.cardPickupTimeoutMs,
      startToCloseTimeout: '45s',
      heartbeatTimeout: WORKER_LIVENESS_TIMEOUT,
      retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 5, nonRetryableErrorTypes: NON_RETRYABLE_PAYMENT_FAILURES },
      summary: `${this.label}: ${summary}`,
    });
  }

  private submitCard(current: ProviderPaymentHandle, source: CardSource): Promise<SubmissionOutcome> {
    const { request } = this;
    if (source.kind === 'hosted') throw ApplicationFailure.nonRetryable('a hosted-form payment has no card to submit', PaymentFailureType.CardDataUnavailable);
    return source.kind === 'vault'
      ? this.cardVault(source.taskQueue).submitCardFromVault({ request, handle: current, vaultHandle: source.handle })
      : this.provider(`charge stored card ${this.cardText}`).submitTokenizedCard({
          request,
          handle: current,
          paymentMethodToken: source.paymentMethodToken,
        });
  }

  /** Queries, signals and updates: what the API, the reservation and reconciliation may ask of the payment. */
  listen(): void {
    const { record, hints } = this;
    setHandler(paymentStateQuery, () => record.view());
    setHandler(refundRequestQuery, (refundId) => {
      const entry = record.refunds.find(refundId);
      return { paymentStatus: record.status, ...(entry ? { refund: { ...entry.view }, requestFingerprint: entry.requestFingerprint } : {}) };
    });
    setHandler(firstOutcomeUpdate, async (offer) => {
      if (!record.firstOutcomeKnown) this.handover.offer(offer);
      await condition(() => record.firstOutcomeKnown);
      return { payment: record.view(), startRequestId: this.input.startRequestId };
    });
    setHandler(providerEventSignal, (event) => {
      if (hints.hasSeen(event.eventId)) return;
      hints.record(event, Date.now());
      this.hintArrived = true;
    });
    setHandler(
      providerEventUpdate,
      (event) => {
        hints.record(event, Date.now());
        this.hintArrived = true;
      },
      { validator: (event) => hints.admit(event, { awaited: WAITS_FOR_WEBHOOKS.includes(record.status), hintPending: this.hintArrived, now: Date.now() }) },
    );
    setHandler(challengeCompletedSignal, () => {
      this.hintArrived = true;
    });
    setHandler(
      cancelPaymentUpdate,
      async ({ reason }) => {
        this.cancelReason ??= reason;
        this.paymentScope.cancel();
        await condition(() => this.settled);
        return record.view();
      },
      {
        validator: ({ reason }) => {
          requireReason(reason);
          if (FINAL_STATUSES.includes(record.status)) throw new Error(`payment is already ${record.status}`);
          // Run beside a refund, the cancellation would refund the same money a second time.
          if (this.refundInFlight || record.refunds.hasPending) {
            throw ApplicationFailure.nonRetryable('a refund of this payment is in progress; cancel once it has settled', RefundRejection.RefundInProgress);
          }
        },
      },
    );
    setHandler(
      refundPaymentUpdate,
      async ({ amountMinor, reason }) => {
        this.refundInFlight = true;
        try {
          await this.refundDesk.refundWithoutId(amountMinor ?? record.remainingMinor, reason);
        } finally {
          this.refundInFlight = false;
        }
        return record.view();
      },
      {
        validator: ({ amountMinor, reason }) => {
          requireReason(reason);
          if (record.status !== 'COMPLETE') throw new Error(`only a COMPLETE payment can be refunded; this one is ${record.status}`);
          if (this.refundInFlight || record.refunds.hasPending) throw new Error('another refund of this payment is in progress');
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
        await condition(() => entry.view.status !== 'PENDING', this.timing.refundAnswerWithinMs);
        return this.refundOutcome(entry.view.id);
      },
      { validator: (ask) => this.validateRefundRequest(ask) },
    );
    setHandler(cancelOwnedPaymentSignal, ({ reason }) => {
      // Sent by the reservation that owns the charge; refunds in flight settle first (see compensate).
      if (this.settled || FINAL_STATUSES.includes(record.status)) return;
      this.cancelReason ??= reason;
      this.paymentScope.cancel();
    });
    setHandler(supersedeScheduledPaymentSignal, ({ reason }) => {
      // Signal-with-start ends the start delay and delivers this in the first activation, before run() begins.
      if (!this.started) this.supersededFor ??= reason;
    });
    setHandler(reconciliationFindingSignal, (finding) => this.onReconciliationFinding(finding));
  }

  private validateRefundRequest(ask: RequestRefundInput): void {
    const { record } = this;
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
    if (!this.acceptingRefunds || this.cancelReason !== undefined) throw new Error('the payment is being cancelled or its refund window is over');
    if (this.refundInFlight) throw ApplicationFailure.nonRetryable('another refund of this payment is in progress', RefundRejection.RefundInProgress);
    const refundable = record.refundableMinor;
    if (ask.amountMinor !== undefined) {
      if (!Number.isInteger(ask.amountMinor) || ask.amountMinor <= 0) throw new Error('amountMinor must be a positive integer');
      if (ask.amountMinor > refundable) {
        throw ApplicationFailure.nonRetryable(`amountMinor exceeds the refundable ${refundable} (pending refunds count)`, RefundRejection.AmountExceedsRefundable);
      }
    } else if (refundable <= 0) {
      throw ApplicationFailure.nonRetryable('nothing is left to refund (pending refunds count)', RefundRejection.AmountExceedsRefundable);
    }
  }

  private async onReconciliationFinding(finding: ReconciliationFinding): Promise<void> {
    const { record, request } = this;
    if (!patched(RECHECK_PATCH)) return;
    const markRecon = (value: ReconStatus) => upsertSearchAttributes([{ key: ReconStatusKey, value }]);
    record.note(`reconciliation: ${finding.reason}`);
    markRecon(finding.reconStatus);
    if (WAITS_FOR_WEBHOOKS.includes(record.status)) {
      // Waiting for an outcome the provider may already have: the same status check a webhook would cause.
      this.hintArrived = true;
      await condition(() => !WAITS_FOR_WEBHOOKS.includes(record.status));
      if (finding.reconStatus === 'RECHECKING') markRecon('HEALED');
      return;
    }
    // Settled here: nothing to heal, only re-confirm with the provider and record its answer for the operator.
    const current = this.handle;
    if (!current?.providerPaymentId) return;
    try {
      const status = await this.provider('re-check status for reconciliation').fetchProviderStatus({ request, handle: current });
      record.note(`re-checked with ${this.label}: ${status.state}, refunded ${status.refundedMinor ?? 0} ${request.currency} minor units there, ${record.refundedMinor} here`);
    } catch (error) {
      record.note(`re-check with ${this.label} failed: ${failureMessage(error)}`);
    }
  }

  /** The whole life of the payment: the charge (cancellable), compensation if cancelled, then its refunds and events. */
  async run(): Promise<PaymentView> {
    const { record } = this;
    if (this.supersededFor !== undefined) return this.endSuperseded(this.supersededFor);
    this.started = true;
    // Not cancellable: a refund asked of the provider is seen through even if the run is cancelled meanwhile.
    void CancellationScope.nonCancellable(() => this.refundDesk.run());
    try {
      await this.paymentScope.run(() => this.runPayment());
    } catch (error) {
      if (!isCancellation(error)) throw error;
      await CancellationScope.nonCancellable(() => this.compensate(this.cancelReason ?? 'cancelled by an operator'));
    } finally {
      this.settled = true;
      this.acceptingRefunds = false;
    }
    await CancellationScope.nonCancellable(() => condition(() => !record.refunds.hasPending));
    record.waitFor(undefined);
    await condition(allHandlersFinished);
    await this.notifyOwner();
    await condition(() => record.eventsPublished);
    return record.view();
  }

  /** Superseded before it ran: no provider call was made; the owner learns it, the merchant hears nothing of it. */
  private async endSuperseded(reason: string): Promise<PaymentView> {
    const { record } = this;
    record.failure = { code: SUPERSEDED_FAILURE_CODE, message: `superseded before it ran: ${reason}` };
    record.moveTo('CANCELLED', `superseded before it ran: ${reason}`, { quiet: true });
    record.waitFor(undefined);
    await this.notifyOwner();
    return record.view();
  }

  private async runPayment(): Promise<void> {
    const { record } = this;
    record.waitFor(`${this.label} to create the payment`);
    const { cardSource } = this.input;
    if (cardSource.kind === 'vault' && patched(ONE_TASK_CHARGE_PATCH)) {
      await this.chargeInOneTask(() =>
        this.cardVault(cardSource.taskQueue, `create payment, submit card ${this.cardText}`).prepareAndSubmitCardFromVault({ request: this.request, vaultHandle: cardSource.handle }),
      );
    } else if (cardSource.kind === 'token' && patched(ONE_TASK_TOKEN_CHARGE_PATCH)) {
      await this.chargeInOneTask(() =>
        this.provider(`create payment, charge stored card ${this.cardText}`).prepareAndSubmitTokenizedCard({ request: this.request, paymentMethodToken: cardSource.paymentMethodToken }),
      );
    } else {
      const prepared = await this.prepareAtProvider();
      if (!prepared) return;
      if (cardSource.kind === 'hosted' && patched(HOSTED_FORM_PATCH)) {
        await this.awaitHostedForm(prepared);
      } else {
        await this.submitAndSettle(prepared);
      }
    }
    if (record.status === 'COMPLETE') await this.notifyOwner();
    if (record.status === 'COMPLETE' && this.timing.refundWindowMs > 0) {
      record.waitFor('refund requests');
      await condition(() => record.status !== 'COMPLETE', this.timing.refundWindowMs, { summary: 'Refund window' });
    }
  }

  /** Creates the payment from the provider's queue; undefined (and the payment FAILED) when the provider would not. */
  private async prepareAtProvider(): Promise<ProviderPaymentHandle | undefined> {
    const { record } = this;
    let prepared: ProviderPaymentHandle;
    try {
      prepared = await this.provider('create payment').preparePayment(this.request);
    } catch (error) {
      record.failure = toFailure(error);
      record.moveTo('FAILED', 'the provider did not create the payment');
      return undefined;
    }
    this.prepared = prepared;
    record.providerPaymentId = prepared.providerPaymentId;
    record.moveTo('SUBMITTED');
    return prepared;
  }

  /**
   * The payment is created and the card (or its token) submitted in one activity: in the process holding the card, or
   * on the provider's queue for a token. When that fails, the payment is created again from the provider's queue
   * (idempotent on the payment id: the same payment comes back) and the failure is settled as a failed submission of
   * it: a decline, a lost card handed over, a lost answer asked.
   */
  private async chargeInOneTask(createAndSubmit: () => Promise<PreparedSubmission>): Promise<void> {
    const { record } = this;
    let charged: PreparedSubmission;
    try {
      // Non-cancellable, as the submission is: a cancellation waits until the provider's answer is known.
      charged = await CancellationScope.nonCancellable(createAndSubmit);
    } catch (error) {
      const prepared = await this.prepareAtProvider();
      if (prepared) await this.submitAndSettle(prepared, { error });
      return;
    }
    this.prepared = charged.handle;
    record.providerPaymentId = charged.handle.providerPaymentId;
    record.moveTo('SUBMITTED');
    await this.settleSubmission(charged.handle, charged.outcome);
  }

  /**
   * Option A: the shopper's browser opens the provider's hosted form and types the card there, so nothing is
   * submitted from here; the first outcome is PENDING_ACTION with the form's URL, then the payment waits as for a
   * challenge (webhook, merchant signal or status poll, confirmed with the provider) and cancels an abandoned form.
   */
  private async awaitHostedForm(current: ProviderPaymentHandle): Promise<void> {
    const { record } = this;
    const url = current.extra?.hostedFormUrl;
    if (!url) {
      record.failure = { code: 'hosted_form_unavailable', message: `${this.label} offered no hosted card form for this payment` };
      record.moveTo('FAILED', 'no hosted card form');
      return;
    }
    record.nextAction = { type: 'redirect', url };
    record.moveTo('PENDING_ACTION', `hosted card form: the shopper enters the card on ${this.label}'s Secure Card Service`);
    await this.awaitChallenge(current, HOSTED_FORM_STEP);
  }

  /** `failed`: the card was already submitted (with the payment's creation) and that failed; settle from there. */
  private async submitAndSettle(current: ProviderPaymentHandle, failed?: { error: unknown }): Promise<void> {
    this.record.waitFor(`the card submission to ${this.label}`);
    try {
      await this.settleSubmission(current, await this.submitWithHandover(current, failed));
    } catch (error) {
      if (isCancellation(error)) throw error;
      await this.settleSubmissionFailure(current, error);
    }
  }

  /** The provider answered the card: approved, or a challenge the shopper must finish. */
  private async settleSubmission(current: ProviderPaymentHandle, outcome: SubmissionOutcome): Promise<void> {
    const { record } = this;
    record.providerPaymentId = outcome.providerPaymentId;
    if (outcome.kind === 'approved') {
      record.moveTo('COMPLETE', 'frictionless approval');
    } else {
      record.nextAction = { type: 'redirect', url: outcome.challengeUrl };
      record.moveTo('PENDING_ACTION', '3-D Secure challenge required');
      await this.awaitChallenge({ ...current, providerPaymentId: outcome.providerPaymentId });
    }
  }

  /** Submits the card; one lost before the provider saw it is replaced by a card a repeated request hands over. */
  private async submitWithHandover(current: ProviderPaymentHandle, failed?: { error: unknown }): Promise<SubmissionOutcome> {
    let earlier = failed;
    for (;;) {
      try {
        if (earlier) throw earlier.error;
        // Non-cancellable: a cancellation waits until the provider's answer is known, so it is never guessed.
        return await CancellationScope.nonCancellable(() => this.submitCard(current, this.submittedCard));
      } catch (error) {
        earlier = undefined;
        const replacement = await this.handedOverCard(current, error);
        if (!replacement) throw error;
        this.submittedCard = replacement;
      }
    }
  }

  private async handedOverCard(current: ProviderPaymentHandle, error: unknown): Promise<VaultCardSource | undefined> {
    const { record } = this;
    // Child payments (reservations) get no repeated requests: their parent decides what a lost card means.
    if (!cardWasLost(error) || workflowInfo().parent !== undefined || this.handover.handovers >= MAX_CARD_HANDOVERS) return undefined;
    if (!patched(CARD_HANDOVER_PATCH)) return undefined;
    // A lost answer can hide a charge made with the lost card (TurnStay names the payment up front): then the
    // status check after the failure settles it and no new card is needed.
    if (current.providerPaymentId && (await this.providerShowsCharge(current))) return undefined;
    record.waitFor(`the card again: it was lost before ${this.label} saw it; the merchant's repeated request (same body and Idempotency-Key) hands its card over`);
    const card = await this.handover.take(this.timing.cardHandoverWindowMs);
    if (card) record.note('card handed over by a repeated request');
    return card;
  }

  private async providerShowsCharge(current: ProviderPaymentHandle): Promise<boolean> {
    try {
      return (await this.provider('status before taking a new card').fetchProviderStatus({ request: this.request, handle: current })).state === 'COMPLETE';
    } catch {
      // Unknown is not "charged": the provider takes a card once per payment, so a handed-over card cannot charge twice.
      return false;
    }
  }

  private async settleSubmissionFailure(current: ProviderPaymentHandle, error: unknown): Promise<void> {
    const { record, timing } = this;
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
      if (await this.confirmedCharge(current, current.providerPaymentId)) return;
    } else if (mayHaveReachedProvider(error) && timing.lostAnswerGraceMs > 0) {
      // Trustist names its payment only in the lost answer; its webhook names it too, so wait a while for one,
      // and check every id the webhooks name until one is confirmed or the wait is over.
      record.waitFor(`a ${this.label} webhook naming the payment (the card submission's answer was lost)`);
      const deadline = Date.now() + timing.lostAnswerGraceMs;
      const named = this.webhookPaymentIds;
      for (let checked = 0; checked < MAX_WEBHOOK_IDS_CHECKED; checked += 1) {
        if (named.length <= checked) {
          const remainingMs = deadline - Date.now();
          const arrived = remainingMs > 0 && (await condition(() => named.length > checked, remainingMs, { summary: 'Wait for a webhook after a lost answer' }));
          if (!arrived) break;
        }
        if (await this.confirmedCharge(current, named[checked] as string)) return;
      }
      if (patched(LOST_ANSWER_ASKS_PROVIDER_PATCH) && (await this.resubmittedAfterLostAnswer(current))) return;
    }
    record.failure = failure;
    record.moveTo('FAILED', failure.code);
  }

  /**
   * No webhook named the payment: send the same card again. The provider is idempotent on our reference (Trustist:
   * "retries will not double-charge"), so the answer names the payment the lost answer hid, or makes the only one.
   * Returns false when the card is gone or the provider stays silent: nothing more can be learnt from it.
   */
  private async resubmittedAfterLostAnswer(current: ProviderPaymentHandle): Promise<boolean> {
    const { record } = this;
    for (let round = 0; round < LOST_ANSWER_RESUBMISSIONS; round += 1) {
      record.waitFor(`${this.label} to answer the card submission sent again (its first answer was lost)`);
      try {
        const outcome = await CancellationScope.nonCancellable(() => this.submitCard(current, this.submittedCard));
        record.note('card sent again after a lost answer; the provider answered');
        await this.settleSubmission(current, outcome);
        return true;
      } catch (error) {
        if (isCancellation(error)) throw error;
        if (isDecline(error)) return (await this.settleSubmissionFailure(current, error), true);
        record.note(`card sent again after a lost answer: ${failureMessage(error)}`);
        if (!mayHaveReachedProvider(error) || !providerSilent(error)) return false;
        await sleep(LOST_ANSWER_RESUBMIT_DELAY_MS * 2 ** round);
      }
    }
    return false;
  }

  /** Asks the provider whether this payment id is ours and charged; if so the payment settles from that answer. */
  private async confirmedCharge(current: ProviderPaymentHandle, providerPaymentId: string): Promise<boolean> {
    const asked = { ...current, providerPaymentId };
    try {
      const status = await this.provider('confirm status after a failed submission').fetchProviderStatus({ request: this.request, handle: asked });
      return this.settledByConfirmedCharge(asked, status, 'after a failed submission');
    } catch (statusError) {
      this.record.note(`status check failed: ${failureMessage(statusError)}`);
      if (!providerSilent(statusError) || !patched(LOST_ANSWER_ASKS_PROVIDER_PATCH)) return false;
      return this.keptAsking(asked);
    }
  }

  /** The status endpoint did not answer either: a lost answer is settled by the provider, so keep asking with backoff. */
  private async keptAsking(asked: ProviderPaymentHandle): Promise<boolean> {
    for (let round = 0; ; round += 1) {
      const delayMs = Math.min(LOST_ANSWER_RESUBMIT_DELAY_MS * 2 ** round, MAX_STATUS_ASK_DELAY_MS);
      this.record.waitFor(`${this.label}'s status endpoint, asked again in ${describeDuration(delayMs)} (the card submission's answer was lost)`);
      await sleep(delayMs);
      try {
        const status = await this.provider('confirm status after a lost answer').fetchProviderStatus({ request: this.request, handle: asked });
        return this.settledByConfirmedCharge(asked, status, 'after a lost answer');
      } catch (statusError) {
        if (!providerSilent(statusError)) return false;
        this.record.note(`status check failed: ${failureMessage(statusError)}`);
      }
    }
  }

  /** A lost answer is settled only by a charge the provider confirms under the id asked about: then that id is ours. */
  private settledByConfirmedCharge(asked: ProviderPaymentHandle, status: ProviderStatus, how: string): boolean {
    if (status.state !== 'COMPLETE') return false;
    this.record.providerPaymentId = asked.providerPaymentId;
    return this.settleFromProvider(status, how);
  }

  private settleFromProvider(status: ProviderStatus, how: string): boolean {
    const settlement = settlementOf(status, this.label, how);
    if (!settlement) return false;
    if (settlement.failure) this.record.failure = settlement.failure;
    this.record.moveTo(settlement.status, settlement.note);
    return true;
  }

  private async awaitChallenge(current: ProviderPaymentHandle, step: ShopperStep = CHALLENGE_STEP): Promise<void> {
    const { record, request, timing } = this;
    const deadline = Date.now() + timing.challengeTimeoutMs;
    let pollIndex = 0;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const delays = timing.statusPollDelaysMs;
      const delay = Math.min(delays[Math.min(pollIndex, delays.length - 1)] ?? remaining, remaining);
      record.waitFor(`${step.waiting}: a ${this.label} webhook, the merchant's signal, or a status poll in ${describeDuration(delay)}`);
      const hinted = await condition(() => this.hintArrived, delay, { summary: step.summary });
      this.hintArrived = false;
      if (!hinted) pollIndex += 1;
      try {
        const status = await this.provider(hinted ? 'confirm status after a hint' : 'poll status').fetchProviderStatus({ request, handle: current });
        // A hosted form's card is known only to the provider: show its brand and last four once it says.
        if (!request.card && status.card) record.card = status.card;
        if (this.settleFromProvider(status, hinted ? 'after a webhook or merchant signal' : 'by polling')) return;
      } catch (error) {
        // The status endpoint failing is no outcome: keep waiting until the challenge deadline.
        record.note(`status check failed: ${failureMessage(error)}`);
      }
    }
    record.waitFor(`${this.label} to cancel the abandoned ${step === CHALLENGE_STEP ? 'challenge' : 'hosted card form'}`);
    if (await this.cancelOrConfirm(current)) return;
    record.failure = { code: step.expiredCode, message: step.expiredMessage(describeDuration(timing.challengeTimeoutMs)) };
    record.moveTo('EXPIRED');
  }

  /** Cancels at the provider; true when the provider had charged after all (then the payment is COMPLETE). */
  private async cancelOrConfirm(current: ProviderPaymentHandle): Promise<boolean> {
    const { record, request } = this;
    // Without a provider payment id nothing exists at the provider (Trustist before submission).
    if (!current.providerPaymentId) return false;
    try {
      const result = await this.provider('cancel payment').cancelAtProvider({ request, handle: current });
      if (result.cancelled) return false;
    } catch (error) {
      record.note(`cancel at ${this.label} failed: ${failureMessage(error)}`);
    }
    try {
      const status = await this.provider('confirm status after cancel').fetchProviderStatus({ request, handle: current });
      return this.settleFromProvider(status, 'after cancelling') && record.status === 'COMPLETE';
    } catch (error) {
      record.note(`status after cancel unknown, reconcile with ${this.label}: ${failureMessage(error)}`);
      return false;
    }
  }

  /** Runs when the payment is cancelled (API or Web UI): undo whatever money moved, or say why it could not. */
  private async compensate(reason: string): Promise<void> {
    const { record } = this;
    const current = this.handle;
    const statusBefore = record.status;
    if (statusBefore === 'CREATED' || statusBefore === 'SUBMITTED' || statusBefore === 'PENDING_ACTION') {
      // Not charged as far as we know: cancel at the provider, which may reveal a charge after all.
      const chargedAfterAll = current ? await this.cancelOrConfirm(current) : false;
      if (!chargedAfterAll) {
        if (!FINAL_STATUSES.includes(record.status)) record.moveTo('CANCELLED', reason);
        return;
      }
    } else if (statusBefore !== 'COMPLETE') {
      return;
    }
    if (patched(REFUNDS_HAVE_IDS)) {
      await this.refundDesk.refundTheRest(`cancelled after the charge: ${reason}`);
      return;
    }
    try {
      await this.refundDesk.refundWithoutId(record.remainingMinor, `cancelled after the charge: ${reason}`);
    } catch (error) {
      record.note(`cancellation could not refund the charge: ${failureMessage(error)}`);
    }
  }

  /** Tells the reservation that owns this charge what the payment is now; it may be closed, which is no failure. */
  async notifyOwner(): Promise<void> {
    const owner = this.input.owner;
    if (!owner) return;
    await CancellationScope.nonCancellable(async () => {
      const payment = this.record.view();
      if (patched(OWNER_REPORT_PATCH)) {
        try {
          const report = await quickLocalActivities<OwnerReportActivities>().reportToOwningReservation({ reservationId: owner.reservationId, payment });
          if (!report.told) this.record.note(`reservation ${owner.reservationId} could not be told: ${report.reason}`);
          return;
        } catch {
          // No answer within the bound (tight while a refund's answer waits on this task): the signal command below (the same report; the reservation keeps the latest).
        }
      }
      try {
        await getExternalWorkflowHandle(owner.reservationId).signal(ownedPaymentChangedSignal, payment);
      } catch (error) {
        this.record.note(`reservation ${owner.reservationId} could not be told: ${failureMessage(error)}`);
      }
    });
  }

  private refundOutcome(refundId: string): RefundOutcome {
    const payment = this.record.view();
    const refund = payment.refunds.find((view) => view.id === refundId);
    if (!refund) throw new Error(`refund ${refundId} is not in the payment's records`);
    return { refund, payment };
  }

}
