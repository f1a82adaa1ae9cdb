import { classify, unknownCharge } from '../../workflows/reconciliation-classify';
import type { OurPayment, TheirPayment } from '../../workflows/reconciliation-types';

const NOW = Date.parse('2026-12-02T12:00:00Z');

function ours(overrides: Partial<OurPayment> = {}): OurPayment {
  return {
    workflowId: 'payment-m-order-1',
    running: true,
    startedAt: '2026-12-02T11:00:00Z',
    status: 'COMPLETE',
    providerPaymentId: 'pi_1',
    refundedMinor: 0,
    refundPending: false,
    request: { paymentId: 'payment-m-order-1', merchantId: 'm', reference: 'order-1', provider: 'turnstay', amountMinor: 12_345, currency: 'GBP', card: { brand: 'visa', last4: '4242' } },
    ...overrides,
  };
}

function theirs(overrides: Partial<TheirPayment> = {}): TheirPayment {
  return { providerPaymentId: 'pi_1', reference: 'payment-m-order-1', state: 'COMPLETE', amountMinor: 12_345, currency: 'GBP', refundedMinor: 0, ...overrides };
}

describe('reconciliation reasons', () => {
  test.each([
    ['agreeing payments', ours(), theirs(), undefined],
    ['a refund at the provider only', ours(), theirs({ refundedMinor: 500 }), 'COMPLETE here, refunded 5.00 GBP at the provider'],
    ['a full refund at the provider', ours(), theirs({ state: 'REFUNDED', refundedMinor: 12_345 }), 'COMPLETE here, refunded 123.45 GBP at the provider'],
    ['more refunded there than here', ours({ refundedMinor: 100 }), theirs({ refundedMinor: 600 }), 'COMPLETE here, refunded 5.00 GBP at the provider beyond the 1.00 GBP refunded here'],
    ['less refunded there than here', ours({ status: 'REFUNDED', refundedMinor: 12_345 }), theirs({ refundedMinor: 345 }), 'refunded 123.45 GBP here, only 3.45 GBP at the provider'],
    ['a refund still pending here', ours({ refundPending: true }), theirs({ refundedMinor: 500 }), undefined],
    ['a failure at the provider', ours(), theirs({ state: 'FAILED' }), 'COMPLETE here, provider says FAILED'],
    ['a charge on a failed payment', ours({ status: 'FAILED' }), theirs(), 'FAILED here, charged 123.45 GBP at the provider'],
    ['another amount', ours(), theirs({ amountMinor: 10_000 }), '123.45 GBP here, 100.00 GBP at the provider'],
    ['a charge the provider does not know', ours(), undefined, 'COMPLETE here, the provider has no such payment'],
    ['a stuck payment the provider finished', ours({ status: 'PENDING_ACTION', startedAt: '2026-12-02T09:00:00Z' }), theirs({ state: 'FAILED' }), 'PENDING_ACTION here for 3 h, provider says FAILED'],
    ['a stuck payment still waiting there too', ours({ status: 'PENDING_ACTION' }), theirs({ state: 'PENDING_ACTION' }), undefined],
  ])('%s', (_name, our, their, reason) => {
    expect(classify(our, their, NOW)?.reason).toBe(reason);
  });

  test('only a waiting payment whose provider has an outcome is safe to heal', () => {
    expect(classify(ours({ status: 'PENDING_ACTION', startedAt: '2026-12-02T11:55:00Z' }), theirs(), NOW)).toMatchObject({ safe: true, reason: 'PENDING_ACTION here for 5 min, provider says COMPLETE' });
    expect(classify(ours(), theirs({ state: 'FAILED' }), NOW)).toMatchObject({ safe: false });
    expect(classify(ours({ status: 'SUBMITTED' }), undefined, NOW)).toMatchObject({ safe: false, reason: 'SUBMITTED here for 60 min, the provider does not list the payment' });
  });

  test('a charge with no payment here names its amount and reference', () => {
    expect(unknownCharge('trustist', theirs({ providerPaymentId: '3PAYX', reference: 'order-77', amountMinor: 1_234 })).reason).toBe(
      'charged 12.34 GBP at the provider (reference order-77), no payment here',
    );
  });
});
