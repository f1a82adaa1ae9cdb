import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { MerchantEventPublisher } from '../../../workflows/merchant-event-emitter';

/** A caller waiting on the workflow's answer, as `POST /v1/payments` waits on a payment's first outcome. */
export const publishAndAnswerUpdate = defineUpdate<void>('publishAndAnswer');
/** A caller answered at once by its handler, as a provider's webhook is; its answer still leaves with the task. */
export const noteUpdate = defineUpdate<void>('note');

/** Who waits on the task that publishes: nobody, a running update handler, or an update whose handler is done. */
export type Waiting = 'nobody' | 'running-handler' | 'finished-handler';

export function publishOne(events: MerchantEventPublisher, merchantId: string): void {
  events.emit(merchantId, 1, 'reservation.scheduled', {
    object: 'reservation',
    reservationId: 'reservation-test',
    reference: 'test',
    sequence: 1,
    status: 'SCHEDULED',
    amountMinor: 100,
    paidMinor: 0,
    refundedMinor: 0,
    currency: 'GBP',
  });
}

/**
 * Publishes one merchant event as a payment does, and ends once it is on its way (the quick or the slower path):
 * from an update handler whose answer waits for it, in the task that took an update answered at once, or with nobody
 * waiting.
 */
export async function publishOneEventWorkflow(merchantId: string, waiting: Waiting = 'nobody'): Promise<void> {
  const events = new MerchantEventPublisher();
  let published = false;
  let noted = false;
  setHandler(publishAndAnswerUpdate, async () => {
    publishOne(events, merchantId);
    published = true;
    await condition(() => events.idle);
  });
  setHandler(noteUpdate, () => {
    noted = true;
  });
  if (waiting === 'finished-handler') {
    await condition(() => noted);
    // A payment reaches its report through several awaits after it wakes (its callers), by when the handler is done.
    for (let hop = 0; hop < 10; hop += 1) await Promise.resolve();
  }
  if (waiting !== 'running-handler') {
    publishOne(events, merchantId);
    published = true;
  }
  await condition(() => published && events.idle);
}
