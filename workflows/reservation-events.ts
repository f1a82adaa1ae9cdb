import type { MerchantEventType, ReservationEventData } from '../domain/merchant-event';
import type { ReservationStatus, ReservationView } from './reservation-types';

/**
 * The event a reservation's new status becomes, or none (BOOKING, CHARGING and COMPLETED are no news a merchant acts
 * on). A decline that leaves attempts is `charge_failed` with the next attempt's time (the dunning step); the last
 * one is `charge_failed` with none, and the reservation FAILED.
 */
export function reservationEventOf(reservation: ReservationView, sequence: number): { type: MerchantEventType; data: ReservationEventData } | undefined {
  const type = typeOf(reservation);
  if (!type) return undefined;
  // Charges run one at a time in plan order: the last one attempted is the one this event is about.
  const charge = reservation.charges.filter((candidate) => candidate.attempts > 0).at(-1);
  const aboutCharge = type === 'reservation.charged' || type === 'reservation.charge_failed';
  return {
    type,
    data: {
      object: 'reservation',
      reservationId: reservation.reservationId,
      reference: reservation.reference,
      sequence,
      status: reservation.status,
      amountMinor: reservation.amountMinor,
      paidMinor: reservation.paidMinor,
      refundedMinor: reservation.refundedMinor,
      currency: reservation.currency,
      ...(reservation.card ? { card: { brand: reservation.card.brand, last4: reservation.card.last4 } } : {}),
      ...(aboutCharge && charge
        ? {
            charge: {
              id: charge.id,
              label: charge.label,
              amountMinor: charge.amountMinor,
              attempt: charge.attempts,
              paymentId: charge.paymentIds.at(-1),
              ...(type === 'reservation.charge_failed' && charge.lastFailure ? { failure: { ...charge.lastFailure } } : {}),
              ...(type === 'reservation.charge_failed' && charge.retryAt && charge.status === 'PENDING' ? { nextAttemptAt: charge.retryAt } : {}),
            },
          }
        : {}),
      ...(reservation.failure ? { failure: { ...reservation.failure } } : {}),
    },
  };
}

const TYPE_OF_STATUS: Partial<Record<ReservationStatus, MerchantEventType>> = {
  SCHEDULED: 'reservation.scheduled',
  PAID: 'reservation.charged',
  PARTIALLY_PAID: 'reservation.charged',
  RETRY_SCHEDULED: 'reservation.charge_failed',
  CANCELLED: 'reservation.cancelled',
  REFUNDED: 'reservation.cancelled',
};

function typeOf(reservation: ReservationView): MerchantEventType | undefined {
  if (reservation.status === 'FAILED') {
    // FAILED after a charge's last attempt, or before any charge (the card could not be kept on file).
    return reservation.charges.some((charge) => charge.status === 'FAILED') ? 'reservation.charge_failed' : 'reservation.failed';
  }
  return TYPE_OF_STATUS[reservation.status];
}
