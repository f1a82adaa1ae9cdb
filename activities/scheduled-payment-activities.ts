import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import { supersedeScheduledPaymentSignal } from '../workflows/messages';
import type { PaymentWorkflowInput } from '../workflows/payment-types';
import { initialPaymentSearchAttributes } from '../workflows/search-attributes';

/** A reservation's charge payment, created ahead of its due time (see scheduleOwnedPayment). */
export interface ScheduledPaymentStart {
  input: PaymentWorkflowInput;
  taskQueue: string;
  /** The payment runs this long after it is created (none when it is due already). */
  startDelayMs: number;
  staticSummary: string;
  /** What the Web UI finds it by: the reservation's reference, so a stay's charges are listed with the stay. */
  listedAs: Parameters<typeof initialPaymentSearchAttributes>[0];
}

/** The start options both calls share: one id per payment, never reused (a closed payment is never started again). */
function paymentExecution(input: PaymentWorkflowInput, taskQueue: string) {
  return { workflowId: input.request.paymentId, taskQueue, args: [input], workflowIdReusePolicy: 'REJECT_DUPLICATE' as const };
}

/** The payment exists already, open or closed: what the call was for is done (a retried attempt, or nothing to supersede). */
function unlessAlreadyStarted(error: unknown): void {
  if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
}

/** What the server says of a charge's payment that has not reported when it should have. */
export type OwnedPaymentState = { running: true } | { running: false; status: string };

/**
 * A reservation's charges scheduled ahead (issue 17): the reservation creates each charge's payment when the charge is
 * planned, its start delayed until the charge is due, so at the due time only the payment runs. Local activities of
 * the reservation, using the worker's client: a child workflow would cost the reservation a workflow task when it
 * starts, and a start delay is not available to children.
 */
export function createScheduledPaymentActivities() {
  return {
    /** Creates the payment with its start delayed; idempotent on the payment id (a retried attempt finds it, open or closed). */
    async scheduleOwnedPayment({ input, taskQueue, startDelayMs, staticSummary, listedAs }: ScheduledPaymentStart): Promise<void> {
      const { client } = Context.current();
      try {
        await client.workflow.start('paymentWorkflow', {
          ...paymentExecution(input, taskQueue),
          ...(startDelayMs > 0 ? { startDelay: startDelayMs } : {}),
          staticSummary,
          typedSearchAttributes: initialPaymentSearchAttributes(listedAs),
        });
      } catch (error) {
        unlessAlreadyStarted(error);
      }
    },

    /**
     * Asks a scheduled payment not to run. Signal-with-start ends its start delay, so a payment that has not started
     * sees the request before anything else; a running one ignores it, and one that has ended is not started again
     * (the reservation hears from it, or looks it up, either way).
     */
    async supersedeScheduledPayment({ input, taskQueue, reason }: { input: PaymentWorkflowInput; taskQueue: string; reason: string }): Promise<void> {
      const { client } = Context.current();
      try {
        await client.workflow.signalWithStart('paymentWorkflow', {
          ...paymentExecution(input, taskQueue),
          signal: supersedeScheduledPaymentSignal,
          signalArgs: [{ reason }],
        });
      } catch (error) {
        unlessAlreadyStarted(error);
      }
    },

    /** Whether a payment that has not reported still runs (its report may be slow) or ended without telling. */
    async describeOwnedPayment({ paymentId }: { paymentId: string }): Promise<OwnedPaymentState> {
      const { client } = Context.current();
      try {
        const { status } = await client.workflow.getHandle(paymentId).describe();
        return status.name === 'RUNNING' ? { running: true } : { running: false, status: status.name };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { running: false, status: 'NOT_FOUND' };
        throw error;
      }
    },
  };
}

export type ScheduledPaymentActivities = ReturnType<typeof createScheduledPaymentActivities>;
