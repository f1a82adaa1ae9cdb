import { startApiStack, OPERATOR_KEY, type ApiStack } from '../support/api-stack';
import { createPayment, getPayment, paymentBody, waitForPayment, type PaymentBody } from '../support/merchant-client';
import { charges, completeChallenge, setWebhookMode } from '../support/sandbox-client';
import { testCard, TEST_CARDS } from '../support/test-cards';
import { reconciliationTaskQueue, type ReconciliationReport } from '../../workflows/reconciliation-types';
import { reconciliationFindingSignal } from '../../workflows/messages';
import { behindOurBack, runReconciliation, waitForVisibleMismatch, waitForVisiblePayments } from './support/reconciliation';
import { waitUntil } from '../support/wait-until';

/**
 * The sandboxes change payments behind our back (a refund, a failure, a charge we never made) and lose a challenge's
 * webhook while the status polls are minutes away; one forced reconciliation run names each difference precisely,
 * has the stuck payment heal itself, and marks the rest with ReconStatus.
 */
describe('reconciliation', () => {
  let stack: ApiStack;
  let report: ReconciliationReport;
  let run: { workflowId: string; runId: string };
  let refunded: PaymentBody;
  let failed: PaymentBody;
  let stuck: PaymentBody;
  let matching: PaymentBody;
  let unrecordedId: string;
  const unrecordedReference = `order-never-recorded-${Date.now()}`;

  beforeAll(async () => {
    // Status polls 10 minutes apart: with its webhook dropped, a finished challenge stays PENDING_ACTION here.
    stack = await startApiStack({ timing: { statusPollDelaysMs: [600_000] } });
    const started = await Promise.all([createPayment(stack.baseUrl, paymentBody('turnstay')), createPayment(stack.baseUrl, paymentBody('trustist')), createPayment(stack.baseUrl, paymentBody('trustist'))]);
    [refunded, failed, matching] = [started[0].body, started[1].body, started[2].body];
    await setWebhookMode(stack.turnstay.apiUrl, 'drop');
    stuck = (await createPayment(stack.baseUrl, paymentBody('turnstay', { card: testCard(TEST_CARDS.challenge) }))).body;
    expect([refunded.status, failed.status, matching.status, stuck.status]).toEqual(['COMPLETE', 'COMPLETE', 'COMPLETE', 'PENDING_ACTION']);
    await completeChallenge(stuck.nextAction!.url, 'authenticate');
    await behindOurBack(stack.turnstay.apiUrl, `/payments/${refunded.providerPaymentId}/refund`, { amountMinor: 500 });
    await behindOurBack(stack.trustist.apiUrl, `/payments/${failed.providerPaymentId}/fail`);
    unrecordedId = String((await behindOurBack(stack.turnstay.apiUrl, '/charges', { reference: unrecordedReference, amountMinor: 1_234 })).paymentId);
    await waitForVisiblePayments(stack, 4);
    ({ report, ...run } = await runReconciliation(stack));
  });
  afterAll(() => stack?.close());

  const differenceOf = (workflowId: string) => report.differences.find((difference) => difference.workflowId === workflowId);
  const reconStatusOf = async (workflowId: string) => (await stack.client.workflow.getHandle(workflowId).describe()).searchAttributes.ReconStatus?.[0];
  async function waitForReconStatus(workflowId: string, expected: string): Promise<void> {
    let seen: unknown;
    await waitUntil(() => `${workflowId}'s ReconStatus ${expected} (was ${String(seen)})`, async () => ((seen = await reconStatusOf(workflowId)) === expected) || undefined, 30_000);
  }

  test('a refund made at the provider is reported with its amount, and the payment is marked MISMATCH', async () => {
    expect(differenceOf(refunded.id)).toMatchObject({ provider: 'turnstay', ours: 'COMPLETE', theirs: 'COMPLETE', reason: 'COMPLETE here, refunded 5.00 GBP at the provider', action: 'reported' });
    await waitForReconStatus(refunded.id, 'MISMATCH');
    // The payment re-confirmed with the provider and kept its own state: nothing was written from outside.
    const payment = await waitForPayment(stack.baseUrl, refunded.id, (body) => body.transitions.some((entry) => entry.note?.startsWith('re-checked with TurnStay')));
    expect(payment).toMatchObject({ status: 'COMPLETE', refundedMinor: 0 });
  });

  test('a payment the provider turned FAILED is reported', async () => {
    expect(differenceOf(failed.id)).toMatchObject({ provider: 'trustist', reason: 'COMPLETE here, provider says FAILED', action: 'reported' });
    await waitForReconStatus(failed.id, 'MISMATCH');
  });

  test('a charge at the provider with no payment here is reported', () => {
    expect(report.differences).toContainEqual(
      expect.objectContaining({ provider: 'turnstay', providerPaymentId: unrecordedId, reason: `charged 12.34 GBP at the provider (reference ${unrecordedReference}), no payment here`, action: 'reported' }),
    );
  });

  test('a payment stuck after its webhook was lost heals through its own workflow', async () => {
    expect(differenceOf(stuck.id)).toMatchObject({ ours: 'PENDING_ACTION', theirs: 'COMPLETE', action: 'recheck' });
    expect(differenceOf(stuck.id)?.reason).toMatch(/^PENDING_ACTION here for \d+ (s|min), provider says COMPLETE$/);
    await waitForPayment(stack.baseUrl, stuck.id, (body) => body.status === 'COMPLETE');
    await waitForReconStatus(stuck.id, 'HEALED');
    expect(await charges(stack.turnstay.apiUrl, stuck.id)).toHaveLength(1);
  });

  test('payments that agree are not reported, and the report reads as Markdown too', async () => {
    expect(differenceOf(matching.id)).toBeUndefined();
    expect(await reconStatusOf(matching.id)).toBeUndefined();
    expect(report.differences).toHaveLength(4);
    const markdown = await fetch(`${stack.baseUrl}/ops/reconciliation/latest?format=markdown`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
    expect(markdown.headers.get('content-type')).toMatch(/^text\/markdown/);
    const text = await markdown.text();
    expect(text).toContain('| Provider | Payment | Provider id | Here | Provider | Difference | Action |');
    expect(text).toContain(`| turnstay | ${refunded.id} | ${refunded.providerPaymentId} | COMPLETE | COMPLETE | COMPLETE here, refunded 5.00 GBP at the provider | reported |`);
    expect((await getPayment(stack.baseUrl, matching.id)).body.status).toBe('COMPLETE');
  });

  test("the sweep's provider calls never take a live payment's queue: every activity of the run is on the reconciliation queue", async () => {
    const history = await stack.client.workflow.getHandle(run.workflowId, run.runId).fetchHistory();
    const queues = (history.events ?? []).flatMap((event) => (event.activityTaskScheduledEventAttributes ? [event.activityTaskScheduledEventAttributes.taskQueue?.name] : []));
    expect(queues.length).toBeGreaterThan(0);
    expect(new Set(queues)).toEqual(new Set([reconciliationTaskQueue(stack.taskQueue)]));
  });

  test('a MISMATCH that agrees with the provider again turns RESOLVED on the next run', async () => {
    const flagged = (await createPayment(stack.baseUrl, paymentBody('turnstay'))).body;
    // An earlier run's finding, since cleared up (say, the operator had the provider reverse its refund).
    await stack.client.workflow.getHandle(flagged.id).signal(reconciliationFindingSignal, { reconStatus: 'MISMATCH', reason: 'COMPLETE here, refunded 1.00 GBP at the provider' });
    await waitForReconStatus(flagged.id, 'MISMATCH');
    await waitForVisibleMismatch(stack, flagged.id);
    const next = await runReconciliation(stack);
    expect(next.report.resolved).toContain(flagged.id);
    expect(next.report.differences.map((difference) => difference.workflowId)).not.toContain(flagged.id);
    await waitForReconStatus(flagged.id, 'RESOLVED');
  });

  test('the report is for operators only', async () => {
    expect((await fetch(`${stack.baseUrl}/ops/reconciliation/latest`)).status).toBe(401);
    const badFormat = await fetch(`${stack.baseUrl}/ops/reconciliation/latest?format=xml`, { headers: { authorization: `Bearer ${OPERATOR_KEY}` } });
    expect([badFormat.status, ((await badFormat.json()) as { error: { field: string } }).error.field]).toEqual([400, 'format']);
  });
});
