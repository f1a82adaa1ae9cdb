import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { Logger } from 'pino';
import type { CardSubmission } from '../activities/provider-adapter';
import type { CardVaultWorker } from '../worker/card-vault-worker';
import type { CardVault } from '../worker/card-vault';
import { toInstant } from '../workflows/charge-plan';
import { reservationBookedUpdate, reservationStateQuery } from '../workflows/messages';
import { reservationWorkflow } from '../workflows/reservation';
import type { CardSource } from '../workflows/payment-types';
import type { ReservationInput, ReservationView } from '../workflows/reservation-types';
import {
  AmountMinorKey,
  CheckinDateKey,
  CurrencyKey,
  MerchantIdKey,
  MerchantReferenceKey,
  PaymentProviderKey,
  ReservationStatusKey,
} from '../workflows/search-attributes';

export function reservationWorkflowId(merchantId: string, reference: string): string {
  return `reservation-${merchantId}-${reference}`;
}

export interface StartReservationOptions {
  client: Client;
  taskQueue: string;
  vault: CardVault;
  cardVaultTaskQueue: string;
  keepCardOnFile: CardVaultWorker['keepCardOnFile'];
  input: Omit<ReservationInput, 'cardSource' | 'startRequestId'>;
  /** Absent for a hosted form: the guest enters the card on the provider's page, which keeps it on file. */
  submission?: CardSubmission;
  requestFingerprint: string;
  /** Told when the card could not be kept on file in the request (the reservation then keeps it). */
  log?: Logger;
}

/** Books a reservation and answers once the card is on file (or, for charge now, once the charge is decided). */
export async function startReservation(options: StartReservationOptions): Promise<{ view: ReservationView; created: boolean; fingerprint?: string }> {
  const { client, input } = options;
  const vaultHandle = options.submission ? options.vault.put(options.submission) : undefined;
  const cardSource: CardSource = vaultHandle
    ? ((await tokenBeforeStart(options, vaultHandle)) ?? { kind: 'vault', taskQueue: options.cardVaultTaskQueue, handle: vaultHandle })
    : { kind: 'hosted' };
  const startRequestId = randomUUID();
  const operation = new WithStartWorkflowOperation(reservationWorkflow, {
    workflowId: input.reservationId,
    taskQueue: options.taskQueue,
    args: [{ ...input, cardSource, startRequestId }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    memo: { requestFingerprint: options.requestFingerprint },
    staticSummary: `reservation ${input.reference}: ${input.initial.amountMinor} ${input.currency}, ${input.policy.kind}, check-in ${input.initial.stay.checkinAt}`,
    typedSearchAttributes: new TypedSearchAttributes([
      { key: ReservationStatusKey, value: 'BOOKING' },
      { key: CheckinDateKey, value: new Date(toInstant(input.initial.stay.checkinAt)) },
      { key: PaymentProviderKey, value: input.provider },
      { key: MerchantReferenceKey, value: input.reference },
      { key: MerchantIdKey, value: input.merchantId },
      { key: AmountMinorKey, value: input.initial.amountMinor },
      { key: CurrencyKey, value: input.currency },
    ]),
  });
  try {
    const booked = await client.workflow.executeUpdateWithStart(reservationBookedUpdate, { startWorkflowOperation: operation });
    const created = booked.startRequestId === startRequestId;
    const fingerprint = created ? options.requestFingerprint : await memoFingerprint(client, input.reservationId);
    return { view: booked.reservation, created, fingerprint };
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
    const handle = client.workflow.getHandle(input.reservationId);
    return { view: await handle.query(reservationStateQuery), created: false, fingerprint: await memoFingerprint(client, input.reservationId) };
  } finally {
    if (vaultHandle) options.vault.delete(vaultHandle);
  }
}

/**
 * A card for charges due later is kept on file here, in the process that holds it, before the reservation starts:
 * the reservation then books in its first workflow task. Any failure (the provider unavailable, a decline) leaves the
 * card to the reservation's own activity, whose retries and failure report are the booking's as before. A repeated
 * booking request also keeps its card once more (a token nobody uses, no money) before it finds the reservation.
 */
async function tokenBeforeStart(options: StartReservationOptions, vaultHandle: string): Promise<CardSource | undefined> {
  const { input } = options;
  if (input.policy.kind === 'charge_now') return undefined;
  try {
    const { paymentMethodToken } = await options.keepCardOnFile({ provider: input.provider, vaultHandle, payerEmail: input.payerEmail });
    return { kind: 'token', paymentMethodToken };
  } catch (error) {
    // Provider failures name no card data (they reach workflow histories as activity failures too).
    const reason = error instanceof Error ? error.message : String(error);
    options.log?.info({ reservationId: input.reservationId, provider: input.provider, reason }, 'card not kept on file in the booking request: the reservation keeps it');
    return undefined;
  }
}

async function memoFingerprint(client: Client, workflowId: string): Promise<string | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return description.memo?.requestFingerprint as string | undefined;
}
