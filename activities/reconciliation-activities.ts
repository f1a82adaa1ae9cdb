import { heartbeat } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { PaymentStatus } from '../domain/payment-status';
import { paymentStateQuery } from '../workflows/messages';
import type { OurPayment, TheirPayment } from '../workflows/reconciliation-types';
import { adapterFor, type ProviderRegistry } from './provider-registry';

const WAITING: PaymentStatus[] = ['CREATED', 'SUBMITTED', 'PENDING_ACTION'];

/** A value inside a visibility query: our own task queue names and times, quoted so that nothing breaks out. */
const quoted = (value: string) => `"${value.replace(/["\\]/g, '')}"`;

/**
 * The sweep's reads. Visibility is eventually consistent on a cluster: a payment that has not reached the index yet
 * is compared on the next run, which is fine because nothing here moves money.
 */
export function createReconciliationActivities(client: Client, providers: ProviderRegistry) {
  async function ourPayment(workflowId: string, running: boolean, startedAt: Date, reconStatus: unknown): Promise<OurPayment | undefined> {
    try {
      const view = await client.workflow.getHandle(workflowId).query(paymentStateQuery);
      return {
        workflowId,
        running,
        startedAt: startedAt.toISOString(),
        status: view.status,
        providerPaymentId: view.providerPaymentId,
        refundedMinor: view.refundedMinor,
        refundPending: view.refunds.some((refund) => refund.status === 'PENDING'),
        ...(typeof reconStatus === 'string' ? { reconStatus } : {}),
        request: {
          paymentId: view.paymentId,
          merchantId: view.merchantId,
          reference: view.reference,
          provider: view.provider,
          amountMinor: view.amountMinor,
          currency: view.currency,
          card: view.card,
        },
      };
    } catch {
      return undefined; // unreadable now (no worker, being reset): the next run sees it
    }
  }

  return {
    /** Our payments overdue in a waiting state, and every payment started or closed since `since`, with each one's state. */
    async listPaymentsToReconcile(input: { paymentTaskQueue: string; since: string; stuckBefore: string; limit: number }): Promise<OurPayment[]> {
      const base = `WorkflowType = "paymentWorkflow" AND TaskQueue = ${quoted(input.paymentTaskQueue)}`;
      const queries = [
        // ExecutionTime, not StartTime: a reservation's charge created ahead waits for its start delay, not stuck.
        `${base} AND ExecutionStatus = "Running" AND PaymentStatus IN (${WAITING.map(quoted).join(', ')}) AND ExecutionTime < ${quoted(input.stuckBefore)}`,
        `${base} AND StartTime >= ${quoted(input.since)}`,
        // Closed in the window though started before it (a payment that ran long, then ended).
        `${base} AND CloseTime >= ${quoted(input.since)}`,
        // Open findings of earlier runs, however old: each run checks whether they still differ.
        `${base} AND ExecutionStatus = "Running" AND ReconStatus = "MISMATCH"`,
      ];
      const found = new Map<string, OurPayment>();
      for (const query of queries) {
        for await (const execution of client.workflow.list({ query, pageSize: 200 })) {
          if (found.size >= input.limit) break;
          if (found.has(execution.workflowId)) continue;
          const attributes = execution.searchAttributes as Record<string, unknown[] | undefined>;
          const payment = await ourPayment(execution.workflowId, execution.status.name === 'RUNNING', execution.startTime, attributes.ReconStatus?.[0]);
          if (payment) found.set(execution.workflowId, payment);
          heartbeat();
        }
      }
      return [...found.values()];
    },

    /** Which of these workflow IDs are payments we have, in any state (a provider's charge names our payment ID). */
    async knownPaymentIds(workflowIds: string[]): Promise<string[]> {
      const known: string[] = [];
      for (const workflowId of workflowIds) {
        try {
          await client.workflow.getHandle(workflowId).describe();
          known.push(workflowId);
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        }
      }
      return known;
    },

    /** The provider's payments created since `since`; `undefined` where the provider cannot list them. */
    async listProviderPayments(input: { provider: string; since: string }): Promise<TheirPayment[] | undefined> {
      const adapter = adapterFor(providers, input.provider);
      if (!adapter.listPaymentsSince) return undefined;
      return adapter.listPaymentsSince(new Date(input.since));
    },
  };
}

export type ReconciliationActivities = ReturnType<typeof createReconciliationActivities>;
