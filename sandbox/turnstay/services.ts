import type { Logger } from 'pino';
import type { FaultInjector } from '../shared/faults';
import type { Ledger } from '../shared/ledger';
import type { RequestLog } from '../shared/request-log';
import type { WebhookDispatcher } from '../shared/webhook-dispatcher';
import type { TurnstayPayments } from './payments';

/** Everything one TurnStay sandbox instance shares between its API server and its SCS server. */
export interface TurnstayServices {
  payments: TurnstayPayments;
  ledger: Ledger;
  requestLog: RequestLog;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  logger: Logger;
  apiKeys: readonly string[];
}

/** TurnStay's error body. */
export const turnstayError = (_status: number, message: string) => ({ detail: message });
