/** The worker's workflow bundle entry point. */
export { paymentWorkflow } from './payment';
export { webhookInboxWorkflow } from './webhook-inbox';
export { reservationWorkflow } from './reservation';
export { merchantEventLogWorkflow } from './merchant-event-log';
export { reconciliationWorkflow } from './reconciliation';
