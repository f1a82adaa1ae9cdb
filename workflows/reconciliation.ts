import { getExternalWorkflowHandle, log, patched, proxyActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities/payment-activities';
import type { ReconciliationActivities } from '../activities/reconciliation-activities';
import { reconciliationFindingSignal } from './messages';
import { classify, isCharged, unknownCharge } from './reconciliation-classify';
import { reportMarkdown } from './reconciliation-report';
import {
  reconciliationTaskQueue,
  type OurPayment,
  type ReconciliationDifference,
  type ReconciliationInput,
  type ReconciliationReport,
  type TheirPayment,
} from './reconciliation-types';

/** Versions the RESOLVED signal to payments whose earlier MISMATCH agrees again. */
const RESOLVED_PATCH = 'recon-resolved';

// maxPayments bounds the listing activity's result (about 500 bytes a payment) well below the 2 MB payload limit.
const DEFAULTS = { stuckAfterMs: 30 * 60_000, lookbackMs: 2 * 3_600_000, maxPayments: 1_000 };
/** What runs started before their input named the providers swept (their histories replay with it). */
const PROVIDERS_BEFORE_INPUT_NAMED_THEM = ['turnstay', 'trustist'];

/**
 * One reconciliation run (started by its Schedule): compares our payments with what each provider says, has each
 * payment heal a safe difference itself (a re-check signal, never state written from outside), and reports the rest.
 * Its calls run on a queue of their own, paced per provider, so a sweep never takes a live payment's turn.
 */
export async function reconciliationWorkflow(input: ReconciliationInput): Promise<ReconciliationReport> {
  const options = {
    stuckAfterMs: input.stuckAfterMs ?? DEFAULTS.stuckAfterMs,
    lookbackMs: input.lookbackMs ?? DEFAULTS.lookbackMs,
    maxPayments: input.maxPayments ?? DEFAULTS.maxPayments,
  };
  const taskQueue = reconciliationTaskQueue(input.paymentTaskQueue);
  const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 5 };
  const reads = proxyActivities<ReconciliationActivities>({ taskQueue, startToCloseTimeout: '5m', heartbeatTimeout: '1m', retry, summary: 'Reconciliation: read payments' });
  const providerCalls = proxyActivities<Pick<PaymentActivities, 'fetchProviderStatus'> & Pick<ReconciliationActivities, 'listProviderPayments'>>({
    taskQueue,
    startToCloseTimeout: '1m',
    retry,
    summary: 'Reconciliation: ask the provider',
  });
  const startedAt = new Date();
  const now = startedAt.getTime();
  const since = new Date(now - options.lookbackMs).toISOString();
  const ours = await reads.listPaymentsToReconcile({
    paymentTaskQueue: input.paymentTaskQueue,
    since,
    stuckBefore: new Date(now - options.stuckAfterMs).toISOString(),
    limit: options.maxPayments,
  });

  const differences: ReconciliationDifference[] = [];
  const resolved: string[] = [];
  let providerPaymentsListed = 0;
  for (const provider of input.providers ?? PROVIDERS_BEFORE_INPUT_NAMED_THEM) {
    const mine = ours.filter((payment) => payment.request.provider === provider);
    const listing = await providerCalls.listProviderPayments({ provider, since });
    providerPaymentsListed += listing?.length ?? 0;
    for (const payment of mine) {
      const theirs = await theirPayment(payment, listing);
      const found = classify(payment, theirs, now);
      if (!found && theirs && payment.reconStatus === 'MISMATCH' && payment.running && patched(RESOLVED_PATCH)) {
        await getExternalWorkflowHandle(payment.workflowId)
          .signal(reconciliationFindingSignal, { reconStatus: 'RESOLVED', reason: 'agrees with the provider again' })
          .then(() => resolved.push(payment.workflowId), () => undefined);
      } else if (found) {
        const { safe, ...difference } = found;
        differences.push({ ...difference, action: await report(payment, safe, difference.reason) });
      }
    }
    // Charges the provider made under a reference that is no payment of ours (our payment ID is the reference).
    const known = new Set(mine.map((payment) => payment.workflowId));
    const unexplained = (listing ?? []).filter((payment) => isCharged(payment) && !known.has(payment.reference));
    const existing = new Set(unexplained.length ? await reads.knownPaymentIds(unexplained.map((payment) => payment.reference)) : []);
    for (const payment of unexplained) {
      if (!existing.has(payment.reference)) differences.push({ ...unknownCharge(provider, payment), action: 'reported' });
    }
  }

  async function theirPayment(payment: OurPayment, listing: TheirPayment[] | undefined): Promise<TheirPayment | undefined> {
    const listed = listing?.find((entry) =>
      payment.providerPaymentId ? entry.providerPaymentId === payment.providerPaymentId : entry.reference === payment.request.paymentId,
    );
    if (listed || !payment.providerPaymentId) return listed;
    // Older than the listing (or no listing): ask for this one payment.
    try {
      const status = await providerCalls.fetchProviderStatus({ request: payment.request, handle: { provider: payment.request.provider, providerPaymentId: payment.providerPaymentId } });
      return {
        providerPaymentId: status.providerPaymentId,
        reference: payment.request.paymentId,
        state: status.state,
        amountMinor: payment.request.amountMinor,
        currency: payment.request.currency,
        refundedMinor: status.refundedMinor ?? 0,
      };
    } catch (error) {
      log.warn('provider status unknown; compared on the next run', { workflowId: payment.workflowId, error: String(error) });
      return undefined;
    }
  }

  /** Tells the payment what was found (it sets ReconStatus, and re-checks); a closed payment can only be reported. */
  async function report(payment: OurPayment, safe: boolean, reason: string): Promise<ReconciliationDifference['action']> {
    if (!payment.running) return 'reported (payment closed)';
    const reconStatus = safe ? 'RECHECKING' : 'MISMATCH';
    // A difference already flagged is not signalled again every run: the payment's history stays short.
    if (!safe && payment.reconStatus === 'MISMATCH') return 'reported';
    try {
      await getExternalWorkflowHandle(payment.workflowId).signal(reconciliationFindingSignal, { reconStatus, reason });
      return safe ? 'recheck' : 'reported';
    } catch {
      return 'reported (payment closed)';
    }
  }

  const body = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    paymentTaskQueue: input.paymentTaskQueue,
    comparedFrom: since,
    paymentsChecked: ours.length,
    providerPaymentsListed,
    differences,
    resolved,
  };
  log.info('reconciliation finished', { workflowId: workflowInfo().workflowId, differences: differences.length });
  return { ...body, markdown: reportMarkdown(body) };
}
