import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';

/**
 * Reservations on this deployment's task queue asleep until a charge falls due, and those whose charge is being taken, counted by Temporal visibility
 * (eventually consistent on a cluster: a gauge, not a money path). A failed count keeps the last values.
 */
export function reservationCounts(client: Client, taskQueue: string, log: Logger): () => Promise<{ asleep: number; chargesDue: number }> {
  const open = `WorkflowType = "reservationWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(taskQueue)}`;
  let last = { asleep: 0, chargesDue: 0 };
  return async () => {
    try {
      const [asleep, chargesDue] = await Promise.all([
        client.workflow.count(`${open} AND ReservationStatus IN ("SCHEDULED", "RETRY_SCHEDULED", "PARTIALLY_PAID")`),
        client.workflow.count(`${open} AND ReservationStatus = "CHARGING"`),
      ]);
      last = { asleep: asleep.count, chargesDue: chargesDue.count };
    } catch (error) {
      log.warn({ err: error }, 'reservation gauges: visibility count failed; keeping the last values');
    }
    return last;
  };
}
