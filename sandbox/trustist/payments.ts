import { randomInt } from 'node:crypto';
import type { Logger } from 'pino';
import { SandboxHttpError, sleep } from '../shared/http';
import type { Ledger } from '../shared/ledger';
import { behaviourOf, brandOf, describeCard, expiryInPast, luhnValid, type CardBrand } from '../shared/test-cards';
import { parseOrThrow } from '../shared/validation';
import type { BehindOurBack } from '../shared/behind-our-back';
import type { WebhookDispatcher } from '../shared/webhook-dispatcher';
import { refundSchema, s2sPaymentSchema, toMajor, toMinor } from './schemas';

/** The Trustist sandbox's payments and rules. Card data is only ever held in local variables. */

export type TrustistStatus =
  | 'PENDING'
  | 'STARTED'
  | 'PROCESSING'
  | 'AWAITING_CAPTURE'
  | 'COMPLETE'
  | 'FAILED'
  | 'PENDING_ACTION'
  | 'REFUNDED';

export type FailureReason = 'DECLINED' | 'INSUFFICIENT_FUNDS' | 'EXPIRED_CARD' | 'AUTHENTICATION_FAILED' | 'CANCELLED';

export type TrustistEventType = 'payment.created' | 'payment.completed' | 'payment.failed';

export interface TrustistPayment {
  id: string;
  reference: string;
  amountMinor: number;
  currency: 'GBP';
  description: string | null;
  payerEmail: string | null;
  status: TrustistStatus;
  failureReason: FailureReason | null;
  refundedMinor: number;
  card: { brand: CardBrand; last4: string };
  created: string;
}

export interface TrustistRefund {
  id: string;
  paymentId: string;
  amount: number;
  currency: 'GBP';
  reference: string;
  status: 'COMPLETE';
  created: string;
}

export interface TrustistPaymentsConfig {
  merchantId: string;
  orgId: string;
  slowCardDelayMs: number;
  apiUrl: () => string;
  ledger: Ledger;
  webhooks: WebhookDispatcher;
  logger: Logger;
}

const DECLINE_REASONS: Record<string, FailureReason> = {
  card_declined: 'DECLINED',
  insufficient_funds: 'INSUFFICIENT_FUNDS',
  expired_card: 'EXPIRED_CARD',
};

const ID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
function newId(prefix: string): string {
  let id = prefix;
  for (let i = 0; i < 20; i += 1) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

export class TrustistPayments {
  private payments = new Map<string, TrustistPayment>();
  private byReference = new Map<string, TrustistPayment>();
  /** References whose first request is still being processed (a duplicate waits for it). */
  private inFlight = new Map<string, { amountMinor: number; done: Promise<unknown> }>();
  private refunds = new Map<string, TrustistRefund>();

  constructor(private readonly config: TrustistPaymentsConfig) {}

  reset(): void {
    this.payments.clear();
    this.byReference.clear();
    this.inFlight.clear();
    this.refunds.clear();
  }

  get(id: string): TrustistPayment {
    const payment = this.payments.get(id);
    if (!payment) throw new SandboxHttpError(404, `Payment ${id} not found`);
    return payment;
  }

  view(payment: TrustistPayment): Record<string, unknown> {
    return {
      id: payment.id,
      status: payment.status,
      amount: toMajor(payment.amountMinor),
      currency: payment.currency,
      reference: payment.reference,
      description: payment.description,
      created: payment.created,
      ...(payment.status === 'FAILED' ? { failureReason: payment.failureReason } : {}),
      refundedAmount: toMajor(payment.refundedMinor),
    };
  }

  challengeUrl(payment: TrustistPayment): string {
    return `${this.config.apiUrl()}/challenge?paymentId=${encodeURIComponent(payment.id)}`;
  }

  /** The S2S answer for a payment in its current state. */
  s2sView(payment: TrustistPayment): Record<string, unknown> {
    return {
      id: payment.id,
      status: payment.status,
      requiredAction: payment.status === 'PENDING_ACTION' ? { type: 'redirect', url: this.challengeUrl(payment) } : null,
      ...(payment.status === 'FAILED' ? { failureReason: payment.failureReason } : {}),
    };
  }

  /** POST /v1/payments/server-to-server. Idempotent on reference: a retry answers the same payment, never a new charge. */
  async serverToServer(input: unknown): Promise<Record<string, unknown>> {
    const body = parseOrThrow(s2sPaymentSchema, input, 400);
    const amountMinor = toMinor(body.amount);
    if (amountMinor === undefined) throw new SandboxHttpError(400, 'amount must have at most 2 decimal places (GBP)');

    for (;;) {
      const pending = this.inFlight.get(body.reference);
      if (!pending) break;
      if (pending.amountMinor !== amountMinor) throw this.referenceConflict(body.reference);
      await pending.done.catch(() => undefined);
    }
    const existing = this.byReference.get(body.reference);
    if (existing) {
      if (existing.amountMinor !== amountMinor) throw this.referenceConflict(body.reference);
      this.config.logger.info({ paymentId: existing.id, reference: existing.reference }, 'duplicate S2S request answered from the first payment');
      return this.s2sView(existing);
    }

    const { number, expiryMonth, expiryYear, cvc } = body.cardDetails;
    if (!/^\d{13,19}$/.test(number) || !luhnValid(number)) throw new SandboxHttpError(400, 'Invalid card number length or format');
    if (!/^(0[1-9]|1[0-2])$/.test(expiryMonth)) throw new SandboxHttpError(400, 'cardDetails.expiryMonth must be two digits 01-12 (MM)');
    if (!/^\d{4}$/.test(expiryYear)) throw new SandboxHttpError(400, 'cardDetails.expiryYear must be four digits (YYYY)');
    if (!/^\d{3,4}$/.test(cvc)) throw new SandboxHttpError(400, 'cardDetails.cvc must be 3 or 4 digits');
    if (expiryInPast(Number(expiryMonth), Number(expiryYear))) throw new SandboxHttpError(400, 'Card expiry date is in the past');
    if (brandOf(number) === 'amex') throw new SandboxHttpError(400, 'American Express cards are not accepted by this merchant');

    const processing = this.process(body.reference, amountMinor, number, body.description ?? null, body.payerEmail ?? null);
    this.inFlight.set(body.reference, { amountMinor, done: processing });
    try {
      return await processing;
    } finally {
      this.inFlight.delete(body.reference);
    }
  }

  private referenceConflict(reference: string): SandboxHttpError {
    return new SandboxHttpError(409, `A payment with reference "${reference}" already exists with a different amount`);
  }

  private async process(reference: string, amountMinor: number, cardNumber: string, description: string | null, payerEmail: string | null): Promise<Record<string, unknown>> {
    const behaviour = behaviourOf(cardNumber);
    const card = describeCard(cardNumber);
    this.config.logger.info({ reference, ...card, behaviour: behaviour.kind }, 'processing S2S payment');
    if (behaviour.kind === 'provider_error') throw new SandboxHttpError(500, 'Payment processor error; the payment was not processed, please retry');
    const payment: TrustistPayment = {
      id: newId('3PAY'),
      reference,
      amountMinor,
      currency: 'GBP',
      description,
      payerEmail,
      status: 'PROCESSING',
      failureReason: null,
      refundedMinor: 0,
      card,
      created: new Date().toISOString(),
    };
    this.payments.set(payment.id, payment);
    this.byReference.set(reference, payment);
    // The slow card is visible as PROCESSING (GET /v1/payments/{id}) while it waits.
    if (behaviour.kind === 'slow') await sleep(this.config.slowCardDelayMs);

    if (behaviour.kind === 'challenge') {
      payment.status = 'PENDING_ACTION';
      this.emit(payment, 'payment.created');
    } else if (behaviour.kind === 'decline') {
      payment.status = 'FAILED';
      payment.failureReason = DECLINE_REASONS[behaviour.code] ?? 'DECLINED';
      this.emit(payment, 'payment.created');
      this.emit(payment, 'payment.failed');
    } else {
      this.charge(payment);
      this.emit(payment, 'payment.created');
      this.emit(payment, 'payment.completed');
    }
    this.config.logger.info({ paymentId: payment.id, reference, status: payment.status, failureReason: payment.failureReason }, 'S2S payment processed');
    return this.s2sView(payment);
  }

  private charge(payment: TrustistPayment): void {
    this.config.ledger.charge({ reference: payment.reference, paymentId: payment.id, amountMinor: payment.amountMinor, currency: payment.currency });
    payment.status = 'COMPLETE';
  }

  private emit(payment: TrustistPayment, eventType: TrustistEventType): void {
    const body = {
      merchantId: this.config.merchantId,
      paymentId: payment.id,
      orgId: this.config.orgId,
      created: payment.created,
      status: payment.status,
      amount: toMajor(payment.amountMinor),
      currency: payment.currency,
      description: payment.description,
      reference: payment.reference,
      paymentMethod: 'Card',
      eventType,
    };
    this.config.webhooks.send({ id: `${payment.id}:${eventType}`, type: eventType, body: JSON.stringify(body) });
  }

  /** Finishes a challenge; a second completion answers the first result. */
  completeChallenge(id: string, outcome: 'authenticate' | 'fail'): { type: 'trustist.challenge'; id: string; status: 'COMPLETE' | 'FAILED' } {
    const payment = this.get(id);
    if (payment.status === 'PENDING_ACTION') {
      if (outcome === 'authenticate') {
        this.charge(payment);
        this.emit(payment, 'payment.completed');
      } else {
        payment.status = 'FAILED';
        payment.failureReason = 'AUTHENTICATION_FAILED';
        this.emit(payment, 'payment.failed');
      }
      this.config.logger.info({ paymentId: id, outcome, status: payment.status }, 'challenge completed');
    }
    if (payment.status === 'FAILED') return { type: 'trustist.challenge', id, status: 'FAILED' };
    if (payment.status === 'COMPLETE' || payment.status === 'REFUNDED') return { type: 'trustist.challenge', id, status: 'COMPLETE' };
    throw new SandboxHttpError(409, `Payment ${id} has no pending challenge (status ${payment.status})`);
  }

  cancel(id: string): Record<string, unknown> {
    const payment = this.get(id);
    if (payment.status === 'PENDING_ACTION') {
      payment.status = 'FAILED';
      payment.failureReason = 'CANCELLED';
      this.emit(payment, 'payment.failed');
    } else if (!(payment.status === 'FAILED' && payment.failureReason === 'CANCELLED')) {
      throw new SandboxHttpError(409, `Payment ${id} is ${payment.status}; only PENDING_ACTION payments can be cancelled`);
    }
    return this.view(payment);
  }

  /** Payments created at or after `since` (ISO-8601), oldest first. */
  createdSince(since: string): TrustistPayment[] {
    return [...this.payments.values()].filter((payment) => payment.created >= since);
  }

  /** Changes made without a webhook or an answer to us (reconciliation tests). */
  readonly behindOurBack: BehindOurBack = {
    refund: (paymentId, amountMinor) => {
      const payment = this.get(paymentId);
      if (payment.status !== 'COMPLETE' || amountMinor > payment.amountMinor - payment.refundedMinor) {
        throw new SandboxHttpError(409, `Payment ${paymentId} (${payment.status}) cannot be refunded ${amountMinor}`);
      }
      payment.refundedMinor += amountMinor;
      if (payment.refundedMinor === payment.amountMinor) payment.status = 'REFUNDED';
      this.config.ledger.refund({ reference: payment.reference, paymentId, amountMinor, currency: payment.currency });
    },
    fail: (paymentId) => {
      const payment = this.get(paymentId);
      payment.status = 'FAILED';
      payment.failureReason = 'DECLINED';
    },
    chargeUnrecorded: (reference, amountMinor) => {
      const payment: TrustistPayment = {
        id: newId('3PAY'),
        reference,
        amountMinor,
        currency: 'GBP',
        description: null,
        payerEmail: null,
        status: 'PROCESSING',
        failureReason: null,
        refundedMinor: 0,
        card: { brand: 'visa', last4: '4242' },
        created: new Date().toISOString(),
      };
      this.payments.set(payment.id, payment);
      this.byReference.set(reference, payment);
      this.charge(payment);
      return payment.id;
    },
  };

  /** POST /v1/payments/{id}/refunds, idempotent on the refund reference. */
  refund(id: string, input: unknown): Record<string, unknown> {
    const body = parseOrThrow(refundSchema, input, 400);
    const amountMinor = toMinor(body.amount);
    if (amountMinor === undefined) throw new SandboxHttpError(400, 'amount must have at most 2 decimal places (GBP)');
    const previous = this.refunds.get(body.reference);
    if (previous) {
      if (previous.paymentId !== id || toMinor(previous.amount) !== amountMinor) {
        throw new SandboxHttpError(409, `A refund with reference "${body.reference}" already exists with a different payment or amount`);
      }
      return { ...previous };
    }
    const payment = this.get(id);
    if (payment.status !== 'COMPLETE') throw new SandboxHttpError(400, `Payment ${id} is ${payment.status} and cannot be refunded`);
    const refundable = payment.amountMinor - payment.refundedMinor;
    if (amountMinor > refundable) {
      throw new SandboxHttpError(400, `Refund amount ${body.amount} exceeds the refundable amount ${toMajor(refundable)}`);
    }
    const refund: TrustistRefund = {
      id: newId('3REF'),
      paymentId: id,
      amount: toMajor(amountMinor),
      currency: 'GBP',
      reference: body.reference,
      status: 'COMPLETE',
      created: new Date().toISOString(),
    };
    this.refunds.set(body.reference, refund);
    payment.refundedMinor += amountMinor;
    if (payment.refundedMinor === payment.amountMinor) payment.status = 'REFUNDED';
    this.config.ledger.refund({ reference: payment.reference, paymentId: id, amountMinor, currency: payment.currency });
    this.config.logger.info({ paymentId: id, refundId: refund.id, amountMinor }, 'refund completed');
    return { ...refund };
  }
}
