import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { NativeConnection, type Worker } from '@temporalio/worker';
import type { CardSubmission } from '../activities/provider-adapter';
import { createProviderRegistry, type ProvidersConfig } from '../activities/provider-registry';
import { TurnstayAdapter } from '../activities/turnstay/turnstay-adapter';
import { summarizeCard, type CardDetails } from '../domain/card';
import type { PaymentRequest } from '../domain/payment-request';
import { CardVault } from '../worker/card-vault';
import { createCardVaultWorker } from '../worker/card-vault-worker';
import { createDataConverter } from '../infra/data-converter';
import { parsePayloadKeys } from '../infra/payload-codec';
import { paymentStateQuery } from '../workflows/messages';
import { paymentWorkflow } from '../workflows/payment';
import { AmountMinorKey, CurrencyKey, MerchantIdKey, MerchantReferenceKey, PaymentProviderKey, PaymentStatusKey } from '../workflows/search-attributes';
import { requestJson } from './http';
import { MERCHANT_ID, TRUSTIST_CREDENTIALS, TURNSTAY_ACCOUNT, TURNSTAY_KEY, type BenchStack } from './stack';
import { paymentWorkflowId } from '../api/start-payment';

/** The sandboxes' frictionless test card (sandbox/README.md): approved without a challenge. */
export const FRICTIONLESS_CARD: CardDetails = {
  number: '4242424242424242',
  expiryMonth: 12,
  expiryYear: new Date().getUTCFullYear() + 2,
  cvc: '123',
  holderName: 'Bench Guest',
};

const AMOUNT_MINOR = 12_345;
const PAYER = { email: 'guest@example.com', phone: '+441234567890' };
/** First outcomes: what the API's early return answers with. */
const FIRST_OUTCOMES = ['COMPLETE', 'DECLINED', 'FAILED', 'PENDING_ACTION', 'CANCELLED', 'EXPIRED'];

export interface PaymentSample {
  ms: number;
  ok: boolean;
  /** COMPLETE, or what went wrong (HTTP status / payment status / error message). */
  outcome: string;
  /** The merchant reference, where the sample is one payment (its workflow is `payment-<merchant>-<reference>`). */
  reference?: string;
}

function providersConfig(stack: BenchStack): ProvidersConfig {
  return {
    turnstay: { apiUrl: stack.turnstay.apiUrl, scsUrl: stack.turnstay.scsUrl, apiKey: TURNSTAY_KEY, accountId: TURNSTAY_ACCOUNT, timeoutMs: 15_000 },
    trustist: { apiUrl: stack.trustist.apiUrl, keyId: TRUSTIST_CREDENTIALS.id, key: TRUSTIST_CREDENTIALS.key, timeoutMs: 15_000 },
  };
}

async function timed(run: () => Promise<string>): Promise<PaymentSample> {
  const started = performance.now();
  try {
    const outcome = await run();
    return { ms: performance.now() - started, ok: outcome === 'COMPLETE', outcome };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, outcome: error instanceof Error ? error.message : String(error) };
  }
}

/** `POST /v1/payments` as a merchant's backend calls it: the response carries the first outcome (early return). */
export async function apiPayment(stack: BenchStack, reference: string, apiUrl = stack.apiUrl): Promise<PaymentSample> {
  const sample = await timed(async () => {
    const response = await requestJson<{ status?: string; error?: { code?: string } }>('POST', `${apiUrl}/v1/payments`, {
      headers: { authorization: `Bearer ${stack.secrets.merchantKey}` },
      body: { provider: 'turnstay', amountMinor: AMOUNT_MINOR, currency: 'GBP', reference, description: 'Bench stay', card: FRICTIONLESS_CARD, payer: PAYER },
    });
    if (response.status !== 201) return `HTTP ${response.status} ${response.body?.error?.code ?? ''}`.trim();
    return response.body.status ?? 'no status';
  });
  return { ...sample, reference };
}

/** POST /v1/reservations (TurnStay, card kept on file, charged at check-in). */
export function bookReservation(stack: BenchStack, reference: string, checkinAt: string, checkoutAt: string): Promise<PaymentSample> {
  return timed(async () => {
    const response = await requestJson<{ status?: string; error?: { code?: string } }>('POST', `${stack.apiUrl}/v1/reservations`, {
      headers: { authorization: `Bearer ${stack.secrets.merchantKey}` },
      body: {
        provider: 'turnstay',
        amountMinor: AMOUNT_MINOR,
        currency: 'GBP',
        reference,
        card: FRICTIONLESS_CARD,
        payer: PAYER,
        stay: { checkinAt, checkoutAt },
        policy: { kind: 'on_checkin' },
      },
    });
    if (response.status !== 201) return `HTTP ${response.status} ${response.body?.error?.code ?? ''}`.trim();
    // A booked on_checkin reservation is asleep until check-in: that is its success here.
    return response.body.status === 'SCHEDULED' ? 'COMPLETE' : (response.body.status ?? 'no status');
  });
}

function paymentRequest(paymentId: string, reference: string): PaymentRequest {
  return {
    paymentId,
    merchantId: MERCHANT_ID,
    reference,
    provider: 'turnstay',
    amountMinor: AMOUNT_MINOR,
    currency: 'GBP',
    description: 'Bench stay',
    payerEmail: PAYER.email,
    payerPhone: PAYER.phone,
    card: summarizeCard(FRICTIONLESS_CARD),
  };
}

/**
 * The floor: the same two provider calls our adapter makes (create the intent, confirm the card on the Secure
 * Card Service), made directly from this process with the project's own adapter, with no Temporal in between.
 */
export class FloorClient {
  private readonly adapter: TurnstayAdapter;

  constructor(sandbox: { apiUrl: string; scsUrl: string }) {
    this.adapter = new TurnstayAdapter({ apiUrl: sandbox.apiUrl, scsUrl: sandbox.scsUrl, apiKey: TURNSTAY_KEY, accountId: TURNSTAY_ACCOUNT, timeoutMs: 15_000 });
  }

  pay(reference: string): Promise<PaymentSample> {
    return timed(async () => {
      const request = paymentRequest(`floor-${reference}`, reference);
      const handle = await this.adapter.preparePayment(request);
      const outcome = await this.adapter.submitCard(request, handle, { card: FRICTIONLESS_CARD });
      return outcome.kind === 'approved' ? 'COMPLETE' : outcome.kind;
    });
  }
}

/**
 * The naive baseline most samples show: `workflow.start` of the same payment workflow, then poll its state query
 * every `pollMs` until the first outcome (the first query goes out right after the start). The card still has to come from a card vault, so this process runs its
 * own vault and card-vault worker (as the API does); the workflow runs on the system's worker as usual.
 */
export class NaiveBaseline {
  private constructor(
    private readonly client: Client,
    private readonly vault: CardVault,
    private readonly vaultTaskQueue: string,
    private readonly worker: Worker,
    private readonly running: Promise<void>,
    private readonly connections: { native: NativeConnection; client: Connection },
  ) {}

  static async start(stack: BenchStack): Promise<NaiveBaseline> {
    const dataConverter = createDataConverter({
      keys: parsePayloadKeys(`${stack.secrets.payloadKeyId}:${stack.secrets.payloadKey}`),
      activeKeyId: stack.secrets.payloadKeyId,
    });
    const native = await NativeConnection.connect({ address: stack.temporal.address });
    const clientConnection = await Connection.connect({ address: stack.temporal.address });
    const client = new Client({ connection: clientConnection, namespace: stack.temporal.namespace, dataConverter });
    const vault = new CardVault();
    const cardVault = await createCardVaultWorker({
      connection: native,
      namespace: stack.temporal.namespace,
      vault,
      providers: createProviderRegistry(providersConfig(stack)),
      dataConverter,
    });
    const running = cardVault.worker.run();
    return new NaiveBaseline(client, vault, cardVault.taskQueue, cardVault.worker, running, { native, client: clientConnection });
  }

  pay(reference: string, pollMs: number): Promise<PaymentSample> {
    return timed(async () => {
      const submission: CardSubmission = { card: FRICTIONLESS_CARD };
      const vaultHandle = this.vault.put(submission);
      const paymentId = paymentWorkflowId(MERCHANT_ID, reference);
      const request = paymentRequest(paymentId, reference);
      try {
        const handle = await this.client.workflow.start(paymentWorkflow, {
          workflowId: paymentId,
          taskQueue: 'payments',
          args: [{ request, cardSource: { kind: 'vault', taskQueue: this.vaultTaskQueue, handle: vaultHandle }, startRequestId: randomUUID() }],
          staticSummary: `turnstay payment ${request.amountMinor} ${request.currency} for ${MERCHANT_ID}/${reference}`,
          typedSearchAttributes: new TypedSearchAttributes([
            { key: PaymentStatusKey, value: 'CREATED' },
            { key: PaymentProviderKey, value: request.provider },
            { key: MerchantReferenceKey, value: reference },
            { key: MerchantIdKey, value: MERCHANT_ID },
            { key: AmountMinorKey, value: request.amountMinor },
            { key: CurrencyKey, value: request.currency },
          ]),
        });
        const deadline = Date.now() + 120_000;
        for (;;) {
          try {
            const view = await handle.query(paymentStateQuery);
            if (FIRST_OUTCOMES.includes(view.status)) return view.status;
          } catch (error) {
            // Before its first workflow task the workflow cannot answer queries yet: poll again, as samples do.
            if (Date.now() > deadline) throw error;
          }
          await new Promise((done) => setTimeout(done, pollMs));
        }
      } finally {
        this.vault.delete(vaultHandle);
      }
    });
  }

  async stop(): Promise<void> {
    this.worker.shutdown();
    await this.running;
    await this.connections.native.close();
    await this.connections.client.close();
  }
}

export function uniqueReference(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 13)}`;
}
