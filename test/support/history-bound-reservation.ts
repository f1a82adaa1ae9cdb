import { summarizeCard } from '../../domain/card';
import { reservationWorkflowId, startReservation } from '../../api/start-reservation';
import type { ApiStack } from './api-stack';
import { testCard, TEST_CARDS } from './test-cards';

/**
 * Books a TurnStay stay charged on check-in (10,000 minor units, the frictionless card) straight through the API's
 * startReservation, so that the test can give the reservation a continue-as-new threshold in history events, an input
 * the merchant API does not take (production relies on the server's suggestion). Everything after booking can go
 * through the merchant API.
 */
export async function bookWithHistoryBound(
  stack: ApiStack,
  booking: { reference: string; requestFingerprint: string; continueAsNewAfterEvents: number; checkinAt: string; checkoutAt: string },
): Promise<{ reservationId: string; booked: Awaited<ReturnType<typeof startReservation>> }> {
  const reservationId = reservationWorkflowId('merchant1', booking.reference);
  const card = testCard(TEST_CARDS.frictionless);
  const booked = await startReservation({
    client: stack.client,
    taskQueue: stack.taskQueue,
    vault: stack.vault,
    cardVaultTaskQueue: stack.cardVaultTaskQueue,
    keepCardOnFile: stack.keepCardOnFile,
    requestFingerprint: booking.requestFingerprint,
    submission: { card },
    input: {
      reservationId,
      merchantId: 'merchant1',
      reference: booking.reference,
      provider: 'turnstay',
      currency: 'GBP',
      policy: { kind: 'on_checkin' },
      refundableOnCancel: true,
      card: summarizeCard(card),
      continueAsNewAfterEvents: booking.continueAsNewAfterEvents,
      initial: { amountMinor: 10_000, stay: { checkinAt: booking.checkinAt, checkoutAt: booking.checkoutAt } },
    },
  });
  return { reservationId, booked };
}
