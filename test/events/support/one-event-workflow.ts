import { condition, defineUpdate, setHandler } from '@temporalio/workflow';
import { MerchantEventPublisher } from '../../../workflows/merchant-event-emitter';

/** A caller waiting on the workflow's answer, as `POST /v1/payments` waits on a payment's first outcome. */
export const publishAndAnswerUpdate = defineUpdate<void>('publishAndAnswer');

function publishOne(events: MerchantEventPublisher, merchantId: string): void {
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
 * with `answering`, from an update handler whose answer waits for it; otherwise with nobody waiting.
 */
export async function publishOneEventWorkflow(merchantId: string, answering = false): Promise<void> {
  const events = new MerchantEventPublisher();
  let published = false;
  setHandler(publishAndAnswerUpdate, async () => {
    publishOne(events, merchantId);
    published = true;
    await condition(() => events.idle);
  });
  if (!answering) {
    publishOne(events, merchantId);
    published = true;
  }
  await condition(() => published && events.idle);
}
