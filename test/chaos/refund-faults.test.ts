import { randomUUID } from 'node:crypto';
import { callApi, type PaymentBody } from '../support/merchant-client';
import { ledger } from '../support/sandbox-client';
import { recordChaosRows, type ChaosRow } from './support/chaos-report';
import { chaosPaymentBody, postPayment, seconds, setSandboxFaults } from './support/chaos-helpers';
import { waitUntil } from '../support/wait-until';
import { ProcessStack } from './support/process-stack';

const PROVIDERS = ['turnstay', 'trustist'] as const;

interface MerchantAnswer {
  call: string;
  httpStatus: number;
  code?: string;
  refundStatus?: string;
  refundId?: string;
}

/**
 * Issue 13 §1, refunds whose every answer is lost: the sandbox processes the refund and loses each answer (502 after
 * processing, on every attempt). The merchant retries with the same Idempotency-Key, then asks again with a new key
 * for the whole amount. The money must move once, and the API must never call a refund that happened refused.
 */
describe('refunds under lost answers', () => {
  let stack: ProcessStack;
  const rows: ChaosRow[] = [];

  beforeAll(async () => {
    stack = await ProcessStack.start({ providerTimeoutMs: 1_500 });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    if (rows.length > 0) await recordChaosRows(rows);
  });

  test('both providers: every refund answer lost, retried with the same key and with a new one: refunded once, never "refused"', async () => {
    const sandboxOf = (provider: (typeof PROVIDERS)[number]) => (provider === 'turnstay' ? stack.turnstay.apiUrl : stack.trustist.apiUrl);
    const refund = async (id: string, call: string, body: Record<string, unknown>, key: string): Promise<MerchantAnswer> => {
      const response = await callApi<{ id?: string; status?: string; error?: { code: string } }>(stack.apiUrl, 'POST', `/v1/payments/${id}/refund`, { body, headers: { 'idempotency-key': key } });
      return { call, httpStatus: response.status, code: response.body.error?.code, refundStatus: response.body.status, refundId: response.body.id };
    };

    const outcomes = await Promise.all(
      PROVIDERS.map(async (provider) => {
        const sandbox = sandboxOf(provider);
        const created = await postPayment(stack.apiUrl, chaosPaymentBody(provider));
        const payment = (created as { body: PaymentBody }).body;
        expect(payment.status).toBe('COMPLETE');
        const refundPath = provider === 'turnstay' ? '/api/v1/refund' : `/v1/payments/${payment.providerPaymentId}/refunds`;
        await setSandboxFaults(sandbox, { failNext: { count: 1_000, kind: 'status', status: 502, phase: 'after', pathPrefix: refundPath } });

        const key = `refund-${randomUUID()}`;
        const answers = [
          await refund(payment.id, 'first', { reason: 'stay cancelled' }, key),
          await refund(payment.id, 'same key', { reason: 'stay cancelled' }, key),
          await refund(payment.id, 'new key, whole amount', { amountMinor: payment.amountMinor, reason: 'stay cancelled' }, `refund-${randomUUID()}`),
        ];
        const refundsWhileLost = (await ledger(sandbox, payment.id)).filter((entry) => entry.type === 'refund');

        const healedAt = Date.now();
        await setSandboxFaults(sandbox, {});
        const { finished, at } = await waitUntil(
          `payment ${payment.id} to show the refund`,
          async () => {
            const read = await callApi<PaymentBody>(stack.apiUrl, 'GET', `/v1/payments/${payment.id}`);
            return read.body.status === 'REFUNDED' ? { finished: read.body, at: Date.now() } : undefined;
          },
          120_000,
          250,
        );
        const refunds = (await ledger(sandbox, payment.id)).filter((entry) => entry.type === 'refund');
        const charges = (await ledger(sandbox, payment.id)).filter((entry) => entry.type === 'charge');
        return { provider, payment, finished, answers, refundsWhileLost, refunds, charges, recovery: seconds(healedAt, at) };
      }),
    );

    const refusedAfterMoney = outcomes.flatMap(({ provider, answers, refundsWhileLost }) =>
      refundsWhileLost.length > 0 ? answers.filter((answer) => answer.code === 'refund_refused').map((answer) => `${provider} ${answer.call}`) : [],
    );
    const refundedTwice = outcomes.filter(({ refunds }) => refunds.length > 1);
    const overRefunded = outcomes.filter(({ payment, refunds }) => refunds.reduce((sum, entry) => sum + entry.amountMinor, 0) > payment.amountMinor);
    rows.push({
      scenario: 'refunds: answers lost',
      started: outcomes.length,
      finished: outcomes.filter(({ finished }) => finished.status === 'REFUNDED').length,
      chargedTwice: outcomes.filter(({ charges }) => charges.length > 1).length,
      stuck: outcomes.filter(({ finished }) => finished.status !== 'REFUNDED').length,
      recoverySeconds: Math.max(...outcomes.map(({ recovery }) => recovery)),
      notes:
        `double refunds ${refundedTwice.length}, over-refunded ${overRefunded.length}, "refund_refused" after money moved ${refusedAfterMoney.length}; ` +
        outcomes.map(({ provider, answers }) => `${provider}: ${answers.map((answer) => `${answer.call} ${answer.httpStatus}${answer.code ? ` ${answer.code}` : ` ${answer.refundStatus}`}`).join(', ')}`).join('; ') +
        '; recovery = from the provider answering again until the payment showed REFUNDED',
    });

    expect(refusedAfterMoney).toEqual([]);
    expect(refundedTwice.map(({ provider }) => provider)).toEqual([]);
    expect(overRefunded.map(({ provider }) => provider)).toEqual([]);
    for (const { answers, refunds, finished, payment } of outcomes) {
      // Resolved from the provider in time (Trustist's refunded total) is 200 SUCCEEDED; still unknown is 202 PENDING.
      const [first, sameKey, newKey] = answers as [MerchantAnswer, MerchantAnswer, MerchantAnswer];
      expect([[200, 'SUCCEEDED'], [202, 'PENDING']]).toContainEqual([first.httpStatus, first.refundStatus]);
      expect([200, 202]).toContain(sameKey.httpStatus);
      expect(sameKey.refundId).toBe(first.refundId);
      expect(newKey.httpStatus).toBe(409);
      expect(refunds.map((entry) => entry.amountMinor)).toEqual([payment.amountMinor]);
      expect(finished).toMatchObject({ status: 'REFUNDED', refundedMinor: payment.amountMinor });
    }
  }, 400_000);
});
