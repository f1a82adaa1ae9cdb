import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { CardVault } from '../../worker/card-vault';
import type { CardVaultWorker } from '../../worker/card-vault-worker';
import type { PaymentTiming } from '../../workflows/payment-types';
import type { CreatePaymentRules } from '../payment-schemas';

/** What the merchant routes (payments and reservations) need: Temporal, the card vault, the rules and timing. */
export interface MerchantRouteOptions {
  client: Client;
  taskQueue: string;
  vault: CardVault;
  cardVaultTaskQueue: string;
  keepCardOnFile: CardVaultWorker['keepCardOnFile'];
  rules: CreatePaymentRules;
  timing?: PaymentTiming;
  paymentAnswerWithinMs?: number;
  log: Logger;
}
