import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { CardSubmission } from '../activities/provider-adapter';
import type { PaymentRequest } from '../domain/payment-request';
import { FIRST_OUTCOME_STATUSES } from '../domain/payment-status';
import { firstOutcomeDuration } from '../infra/observability/metrics';
import type { CardVault } from '../worker/card-vault';
import { firstOutcomeUpdate, paymentStateQuery } from '../workflows/messages';
import { paymentWorkflow } from '../workflows/payment';
import type { PaymentTiming, PaymentView, VaultCardSource } from '../workflows/payment-types';
import { initialPaymentSearchAttributes } from '../workflows/search-attributes';

export interface StartPaymentOptions {
  client: Client;
  taskQueue: string;
  vault: CardVault;
  cardVaultTaskQueue: string;
  request: PaymentRequest;
  /** Absent for a hosted form (TurnStay Option A): no card reaches this process. */
  submission?: CardSubmission;
  requestFingerprint?: string;
  timing?: PaymentTiming;
  /** The provider's display label from the registry (activity summaries in the Web UI). */
  providerLabel?: string;
  /** How long the caller waits for the first outcome before it gets the payment so far. */
  answerWithinMs?: number;
}

/** Below the usual HTTP client and load-balancer timeouts (30-60 s), as the refund answer's bound is. */
export const DEFAULT_PAYMENT_ANSWER_WITHIN_MS = 20_000;

export interface StartedPayment {
  view: PaymentView;
  /** False when the payment already existed (a repeated request), or when that is not known yet (no first outcome). */
  created: boolean;
  /** False when the first outcome was not reached within the bound: `view` is the payment so far, which goes on. */
  firstOutcomeKnown: boolean;
}

export function paymentWorkflowId(merchantId: string, reference: string): string {
  return `payment-${merchantId}-${reference}`;
}

/**
 * Starts the payment workflow and waits for its first outcome in the same call (update-with-start), so the
 * caller gets COMPLETE, DECLINED or PENDING_ACTION without polling. A repeated request attaches to the
 * existing workflow (USE_EXISTING) and gets the same payment; a finished one is never started again. After a
 * transient error the merchant's retry hands its card to the waiting payment (CardHandover in the workflow).
 * A first outcome slower than `answerWithinMs` (a slow provider, retries through its 5xx answers) is not waited
 * for: the caller gets the payment so far, and this process keeps the card until the payment has used it.
 */
export async function startPayment(options: StartPaymentOptions): Promise<StartedPayment> {
  const { client, request } = options;
  const vaultHandle = options.submission ? options.vault.put(options.submission) : undefined;
  const startRequestId = randomUUID();
  const cardSource: VaultCardSource | undefined = vaultHandle ? { kind: 'vault', taskQueue: options.cardVaultTaskQueue, handle: vaultHandle } : undefined;
  const started = performance.now();
  const startOperation = new WithStartWorkflowOperation(paymentWorkflow, {
    workflowId: request.paymentId,
    taskQueue: options.taskQueue,
    args: [
      {
        request,
        cardSource: cardSource ?? { kind: 'hosted' },
        requestFingerprint: options.requestFingerprint,
        startRequestId,
        timing: options.timing,
        ...(options.providerLabel ? { providerLabel: options.providerLabel } : {}),
      },
    ],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    staticSummary: `${request.provider} payment ${request.amountMinor} ${request.currency} for ${request.merchantId}/${request.reference}`,
    typedSearchAttributes: initialPaymentSearchAttributes(request),
  });
  // A repeated request also offers its card: a payment whose own card was lost (its first request's process died
  // or dropped it after a lost answer) submits this one instead, so the retry completes it.
  const firstOutcome = client.workflow
    .executeUpdateWithStart(firstOutcomeUpdate, { startWorkflowOperation: startOperation, args: [{ cardSource, requestFingerprint: options.requestFingerprint }] })
    .then((outcome): StartedPayment => {
      const created = outcome.startRequestId === startRequestId;
      if (created) firstOutcomeDuration.observe({ provider: request.provider, status: outcome.payment.status }, (performance.now() - started) / 1_000);
      return { view: outcome.payment, created, firstOutcomeKnown: true };
    })
    .catch(async (error: unknown): Promise<StartedPayment> => {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      // The payment finished earlier: answer with what it became, never run it again.
      return { view: await paymentSoFar(client, request.paymentId), created: false, firstOutcomeKnown: true };
    })
    .finally(() => {
      // The card is needed only until the submission activity read it, which happened before the first outcome.
      if (vaultHandle) options.vault.delete(vaultHandle);
    });
  let bound: NodeJS.Timeout | undefined;
  const boundPassed = new Promise<'bound passed'>((resolve) => {
    bound = setTimeout(() => resolve('bound passed'), options.answerWithinMs ?? DEFAULT_PAYMENT_ANSWER_WITHIN_MS);
  });
  try {
    const first = await Promise.race([firstOutcome, boundPassed]);
    if (first !== 'bound passed') return first;
  } finally {
    clearTimeout(bound);
  }
  // The wait goes on without the caller; its failure is the payment's to settle (a lost card is handed over by a retry).
  const settled = firstOutcome.catch(() => undefined);
  // Not found: the start itself is still on its way (a bound shorter than a start), so its answer is the one to wait for.
  const view = await paymentSoFar(client, request.paymentId).catch((error: unknown) => {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  });
  if (!view) return firstOutcome;
  if (!FIRST_OUTCOME_STATUSES.includes(view.status)) return { view, created: false, firstOutcomeKnown: false };
  // The first outcome came while the update's answer was on its way: that answer (right behind) says whether this
  // request created the payment (201) or found it (200).
  const answered = await Promise.race([settled, sleep(UPDATE_ANSWER_GRACE_MS, undefined, { ref: false })]);
  return answered ?? { view, created: false, firstOutcomeKnown: true };
}

/** How long an answer waits for an update's result once the payment shows its first outcome. */
const UPDATE_ANSWER_GRACE_MS = 2_000;

function paymentSoFar(client: Client, paymentId: string): Promise<PaymentView> {
  return client.workflow.getHandle(paymentId).query(paymentStateQuery);
}
