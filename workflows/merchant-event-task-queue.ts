const SUFFIX = '-merchant-events';

/**
 * `payments` -> `payments-merchant-events`: the merchants' event logs and their deliveries. Deliveries wait on
 * receivers, so they never hold a payment worker's slots; the logs have a workflow cache of their own there, which
 * sleeping reservations cannot evict. Given the event queue itself, returns it.
 */
export function merchantEventTaskQueue(taskQueue: string): string {
  return taskQueue.endsWith(SUFFIX) ? taskQueue : `${taskQueue}${SUFFIX}`;
}
