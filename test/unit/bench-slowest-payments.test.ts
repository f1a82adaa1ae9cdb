import { describeSlowest, type SlowestPayments } from '../../bench/slowest-payments';

describe('bench: the slowest payments line', () => {
  const slowest: SlowestPayments = {
    count: 13,
    clientMs: { min: 4043.3, p50: 4272.8, max: 4964.1 },
    historyMs: { p50: 4156.2, max: 4900 },
    longestGaps: { 'WORKFLOW_TASK_STARTED → WORKFLOW_TASK_COMPLETED': { count: 13, p50Ms: 3409.1 } },
    timeouts: {},
    retriedActivities: {},
    startsWithinMs: 812.4,
    workflowIds: ['payment-bench-a', 'payment-bench-b', 'payment-bench-c'],
  };

  test('says how close together they started and names the slowest, so one stall can be found and opened', () => {
    expect(describeSlowest(slowest)).toBe(
      'client 4043.3–4964.1 ms (p50 4272.8), history p50 4156.2 ms; longest wait: WORKFLOW_TASK_STARTED → WORKFLOW_TASK_COMPLETED ×13 (p50 3409.1 ms); started within 812.4 ms; slowest payment-bench-a, payment-bench-b, payment-bench-c',
    );
  });
});
