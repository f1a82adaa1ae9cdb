/** `payments` -> `payments-merchant-events`: deliveries wait on receivers, so they never hold a payment worker's slots. */
export function merchantEventTaskQueue(workflowTaskQueue: string): string {
  return `${workflowTaskQueue}-merchant-events`;
}
