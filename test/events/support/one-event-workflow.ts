import { condition } from '@temporalio/workflow';
import { MerchantEventPublisher } from '../../../workflows/merchant-event-emitter';

/** Publishes one merchant event as a payment does, and ends once it is on its way (the quick or the slower path). */
export async function publishOneEventWorkflow(merchantId: string): Promise<void> {
  const events = new MerchantEventPublisher();
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
  await condition(() => events.idle);
}
