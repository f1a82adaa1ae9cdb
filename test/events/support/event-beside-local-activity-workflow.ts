import { condition, proxyLocalActivities, sleep } from '@temporalio/workflow';
import { MerchantEventPublisher } from '../../../workflows/merchant-event-emitter';
import { publishOne } from './one-event-workflow';

export interface AnsweringActivities {
  answerAtOnce(): Promise<void>;
}

/**
 * A booking's shape: an event whose quick path is on its way while the workflow runs another local activity (the
 * charge's scheduled payment) and makes a command once that answers (the timer towards the charge).
 */
export async function eventBesideLocalActivityWorkflow(merchantId: string): Promise<void> {
  const events = new MerchantEventPublisher();
  // Not the first workflow task (a booking's card went on file first).
  await sleep(1);
  publishOne(events, merchantId);
  await proxyLocalActivities<AnsweringActivities>({ startToCloseTimeout: '5s' }).answerAtOnce();
  // A booking reaches its timer through several awaits (its callers return), more than the event's slower path takes.
  for (let hop = 0; hop < 5; hop += 1) await Promise.resolve();
  await Promise.all([sleep(1), condition(() => events.idle)]);
}
