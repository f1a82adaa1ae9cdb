import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';

/**
 * Reservations on this deployment's task queue asleep until a charge falls due, and charges being taken (a reservation
 * CHARGING, or a charge's payment created ahead past its start delay), counted by Temporal visibility
 * (eventually consistent on a cluster: a gauge, not a money path). A failed count keeps the last values.
 */
export function reservationCounts(client: Client, taskQueue: string, log: Logger): () => Promise<{ asleep: number; chargesDue: number }> {
  const open = `WorkflowType = "reservationWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(taskQueue)}`;
  const duePaymentsOn = `WorkflowType = "paymentWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(taskQueue)} AND PaymentStatus = "CREATED"`;
  let last = { asleep: 0, chargesDue: 0 };
  return async () => {
    try {
      const [asleep, charging, duePayments] = await Promise.all([
        client.workflow.count(`${open} AND ReservationStatus IN ("SCHEDULED", "RETRY_SCHEDULED", "PARTIALLY_PAID")`),
        client.workflow.count(`${open} AND ReservationStatus = "CHARGING"`),
        // A charge scheduled ahead (issue 17) runs in its payment while the reservation still sleeps: payments past
        // their start delay that have not reached the provider yet (a card payment's first call counts too, briefly).
        client.workflow.count(`${duePaymentsOn} AND ExecutionTime <= ${JSON.stringify(new Date().toISOString())}`),
      ]);
      last = { asleep: Math.max(0, asleep.count - duePayments.count), chargesDue: charging.count + duePayments.count };
    } catch (error) {
      log.warn({ err: error }, 'reservation gauges: visibility count failed; keeping the last values');
    }
    return last;
  };
}
