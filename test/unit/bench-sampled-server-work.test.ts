import { temporal } from '@temporalio/proto';
import { activityTypes, evenSample, meanActivities } from '../../bench/sampled-server-work';

const EventType = temporal.api.enums.v1.EventType;
const scheduled = (name: string): temporal.api.history.v1.IHistoryEvent => ({
  eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
  activityTaskScheduledEventAttributes: { activityType: { name } },
});
const other = (eventType: temporal.api.enums.v1.EventType): temporal.api.history.v1.IHistoryEvent => ({ eventType });

describe('bench: activities per payment from sampled histories', () => {
  const quick = [other(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED), scheduled('prepareAndSubmitCardFromVault'), other(EventType.EVENT_TYPE_MARKER_RECORDED)];
  const missedQuickPath = [...quick, scheduled('publishMerchantEvent')];

  test('counts the activity types scheduled in one history, nothing else', () => {
    expect(activityTypes(missedQuickPath)).toEqual({ prepareAndSubmitCardFromVault: 1, publishMerchantEvent: 1 });
    expect(activityTypes([other(EventType.EVENT_TYPE_TIMER_STARTED)])).toEqual({});
  });

  test('averages over all histories, counting a history without the type as 0', () => {
    expect(meanActivities([quick, quick, quick, missedQuickPath])).toEqual({ prepareAndSubmitCardFromVault: 1, publishMerchantEvent: 0.25 });
  });

  test('samples evenly over the whole window, at most the size asked', () => {
    const hundred = Array.from({ length: 100 }, (_, index) => index);
    expect(evenSample(hundred, 4)).toEqual([0, 25, 50, 75]);
    expect(evenSample([1, 2], 30)).toEqual([1, 2]);
  });
});
