import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { ownedPaymentChangedSignal } from '../workflows/messages';
import type { PaymentView } from '../workflows/payment-types';

export interface ReportToOwnerInput {
  reservationId: string;
  payment: PaymentView;
}

/** Told, or not told because the reservation is gone (closed runs take no signals): nothing to retry then. */
export type OwnerReport = { told: true } | { told: false; reason: string };

/**
 * How a reservation's charge payment tells its reservation what it is now: a signal sent by the worker's client from
 * a local activity in the payment's workflow task. A signal command would cost the payment a workflow task more
 * (the server answers it with an event of its own).
 */
export function createOwnerReportActivities() {
  return {
    async reportToOwningReservation({ reservationId, payment }: ReportToOwnerInput): Promise<OwnerReport> {
      const { client, cancellationSignal } = Context.current();
      try {
        // Given up when the attempt times out, so it cannot land after the slower path's report.
        await client.withAbortSignal(cancellationSignal, () => client.workflow.getHandle(reservationId).signal(ownedPaymentChangedSignal, payment));
        return { told: true };
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return { told: false, reason: `no open run of ${reservationId}` };
        throw error;
      }
    },
  };
}

export type OwnerReportActivities = ReturnType<typeof createOwnerReportActivities>;
