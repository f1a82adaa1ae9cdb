import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { temporal } from '@temporalio/proto';
import { paymentPhases } from '../../bench/history';
import { serverWork } from '../../bench/state-transitions';

const FIXTURES = join(__dirname, '..', 'fixtures', 'histories');
const recorded = (workflowId: string) => temporal.api.history.v1.History.decode(readFileSync(join(FIXTURES, `${workflowId}.history.bin`))).events ?? [];

describe('bench: state transitions counted from a history', () => {
  // A frictionless TurnStay payment recorded with its provider webhook as a signal, then refunded.
  const frictionlessThenRefunded = recorded('payment-merchant1-order-1fb332be-07e');

  test('a frictionless payment up to its webhook is the issue-17 baseline: 22 events, 12 state transitions', () => {
    expect(serverWork(frictionlessThenRefunded.slice(0, 22))).toEqual({
      'history events': 22,
      'workflow tasks': 3,
      'activity tasks': 2,
      signals: 1,
      updates: 1,
      'timers started': 1,
      'timers fired': 0,
      'search-attribute upserts': 2,
      markers: 0,
      'other workflows': 0,
      // start 1 + 3 workflow tasks x 2 + 2 activities x 2 + the signal 1; upserts, the timer and the update ride in tasks.
      'state transitions': 12,
    });
  });

  test('the refund afterwards adds its workflow tasks, activity and webhook', () => {
    expect(serverWork(frictionlessThenRefunded)).toMatchObject({ 'history events': 42, 'workflow tasks': 7, 'activity tasks': 3, signals: 2, updates: 2, 'state transitions': 23 });
  });

  test('issue 17: created and charged in one activity, a frictionless payment up to its refund window is 7 state transitions', () => {
    // Recorded with patch create-and-submit-in-card-process (then refunded in full).
    const oneTask = recorded('payment-merchant1-refund-full-e88a25d3');
    const refundWindow = oneTask.findIndex((event) => event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_TIMER_STARTED);
    expect(serverWork(oneTask.slice(0, refundWindow + 1))).toMatchObject({ 'workflow tasks': 2, 'activity tasks': 1, signals: 0, updates: 1, 'state transitions': 7 });
    // start 1 + 2 workflow tasks x 2 + 1 activity x 2.
    expect(Object.keys(paymentPhases(oneTask) ?? {})).toEqual([
      'first workflow task queued',
      'first workflow task to create-intent scheduled',
      'create intent + card submission: queued',
      'create intent + card submission: provider calls',
      'outcome workflow task',
      'total (history)',
    ]);
  });

  test('a charge\'s payment created ahead is timed from its due instant (the end of its start delay), not its creation', () => {
    // Created at booking, its start delayed by the ~4 s until the charge was due (patch charges-scheduled-ahead).
    const scheduled = recorded('payment-merchant1-dunning-paid-1b278de1-c1-a1');
    expect(Number(scheduled[0]?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff?.seconds ?? 0)).toBeGreaterThanOrEqual(3);
    expect(paymentPhases(scheduled)?.['first workflow task queued']).toBeLessThan(1_000);
  });

  test('a reservation counts its child payment and the signals it delivered as transitions, markers as none', () => {
    expect(serverWork(recorded('reservation-merchant1-stay-bc6d8fcb-6f3'))).toMatchObject({ markers: 6, 'other workflows': 3, 'workflow tasks': 7, signals: 3, 'state transitions': 21 });
  });
});
