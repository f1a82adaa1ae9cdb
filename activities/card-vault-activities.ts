import { ApplicationFailure } from '@temporalio/common';
import type { PaymentRequest } from '../domain/payment-request';
import type { CardVault } from '../worker/card-vault';
import { cardVaultPickupsMissed } from '../infra/observability/metrics';
import { PaymentFailureType } from './payment-failure-types';
import type { PreparedSubmission, ProviderPaymentHandle, SubmissionOutcome, TokenizedCard } from './provider-adapter';
import { adapterFor, type ProviderRegistry } from './provider-registry';

export interface SubmitCardInput {
  request: PaymentRequest;
  handle: ProviderPaymentHandle;
  vaultHandle: string;
}

export interface PrepareAndSubmitCardInput {
  request: PaymentRequest;
  vaultHandle: string;
}

/**
 * Runs only in the process that received the card (its own task queue): the card goes from that process's
 * memory to the provider and nowhere else. The entry is dropped once the provider has given a final answer.
 */
export function createCardVaultActivities(vault: CardVault, providers: ProviderRegistry) {
  const heldCard = (vaultHandle: string, activity: string) => {
    const submission = vault.get(vaultHandle);
    if (!submission) {
      cardVaultPickupsMissed.inc({ activity });
      throw ApplicationFailure.nonRetryable('card data must be re-submitted: it is no longer held by this process', PaymentFailureType.CardDataUnavailable);
    }
    return submission;
  };
  const submitCardFromVault = async ({ request, handle, vaultHandle }: SubmitCardInput): Promise<SubmissionOutcome> => {
    const submission = heldCard(vaultHandle, 'submitCardFromVault');
    try {
      const outcome = await adapterFor(providers, request.provider).submitCard(request, handle, submission);
      vault.delete(vaultHandle);
      return outcome;
    } catch (error) {
      // A final answer drops the card; a garbled one is no answer, so the card stays (until its expiry) for the
      // workflow to send again to a provider that is idempotent on our reference.
      if (error instanceof ApplicationFailure && error.nonRetryable && error.type !== PaymentFailureType.MalformedProviderResponse) vault.delete(vaultHandle);
      throw error;
    }
  };
  return {
    submitCardFromVault,

    /**
     * Creates the payment at the provider and submits the card in one task: one activity and one workflow task
     * fewer per payment than creating it from the provider's queue first. Creation is idempotent on the payment id,
     * so a retry finds the payment the first attempt made. The card is checked first: without it nothing is created.
     */
    async prepareAndSubmitCardFromVault({ request, vaultHandle }: PrepareAndSubmitCardInput): Promise<PreparedSubmission> {
      heldCard(vaultHandle, 'prepareAndSubmitCardFromVault');
      const handle = await adapterFor(providers, request.provider).preparePayment(request);
      return { handle, outcome: await submitCardFromVault({ request, handle, vaultHandle }) };
    },

    /** Card on file: trades the card for a provider token (kept by reservations); drops the card afterwards. */
    async tokenizeCardFromVault({ provider, vaultHandle, payerEmail }: TokenizeCardInput): Promise<TokenizedCard> {
      const submission = vault.get(vaultHandle);
      if (!submission?.card) {
        cardVaultPickupsMissed.inc({ activity: 'tokenizeCardFromVault' });
        throw ApplicationFailure.nonRetryable('card data must be re-submitted: it is no longer held by this process', PaymentFailureType.CardDataUnavailable);
      }
      const adapter = adapterFor(providers, provider);
      if (!adapter.tokenize) throw ApplicationFailure.nonRetryable(`${provider} cannot keep cards on file`, PaymentFailureType.InvalidRequest);
      const tokenized = await adapter.tokenize(submission.card, payerEmail);
      vault.delete(vaultHandle);
      return tokenized;
    },
  };
}

export interface TokenizeCardInput {
  provider: string;
  vaultHandle: string;
  payerEmail?: string;
}

export type CardVaultActivities = ReturnType<typeof createCardVaultActivities>;
