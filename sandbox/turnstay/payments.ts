import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { SandboxHttpError, canonicalJson, sleep } from '../shared/http';
import type { Ledger } from '../shared/ledger';
import {
  behaviourOf,
  type CardBrand,
  cardNumberValid,
  describeCard,
  expiryInPast,
  type CardData,
  type DeclineCode,
} from '../shared/test-cards';
import { parseOrThrow } from '../shared/validation';
import type { BehindOurBack } from '../shared/behind-our-back';
import type { WebhookDispatcher } from '../shared/webhook-dispatcher';
import { buildEvent, type TurnstayEventType } from './events';
import type { IntentStatus, StoredToken, TokenIntent, TurnstayIntent, TurnstayRefund } from './model';
import {
  cardFieldsSchema,
  createIntentSchema,
  refundSchema,
  tokenConfirmSchema,
  tokenIntentSchema,
  type CardFields,
} from './schemas';

/** The TurnStay sandbox's state and payment rules, shared by its API server and its SCS server. */

export interface TurnstayPaymentsConfig {
  accountId: number;
  /** The currencies the account settles in (an intent must be in one of them). */
  accountCurrencies: string[];
  slowCardDelayMs: number;
  urls: () => { api: string; scs: string };
  ledger: Ledger;
  webhooks: WebhookDispatcher;
  logger: Logger;
}

export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type CardSource = { kind: 'card'; body: unknown } | { kind: 'token'; body: unknown };

const DECLINE_MESSAGES: Record<DeclineCode | 'authentication_failed', string> = {
  card_declined: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  authentication_failed: 'Authentication failed.',
};

const randomId = (prefix: string, bytes = 12) => `${prefix}${randomBytes(bytes).toString('hex')}`;

export class TurnstayPayments {
  private intents = new Map<string, TurnstayIntent>();
  private intentsByScsId = new Map<string, TurnstayIntent>();
  private idempotency = new Map<string, { fingerprint: string; lookupId: string; body: unknown }>();
  private tokens = new Map<string, StoredToken>();
  private tokenIntents = new Map<string, TokenIntent>();
  private tokenIntentsByLookupId = new Map<string, TokenIntent>();
  private refunds: TurnstayRefund[] = [];
  private refundKeys = new Map<string, TurnstayRefund>();
  private nextIntentId = 1;
  private nextRefundId = 1;

  constructor(private readonly config: TurnstayPaymentsConfig) {}

  reset(): void {
    this.intents.clear();
    this.intentsByScsId.clear();
    this.idempotency.clear();
    this.tokens.clear();
    this.tokenIntents.clear();
    this.tokenIntentsByLookupId.clear();
    this.refunds = [];
    this.refundKeys.clear();
  }

  // ---- payment intents ---------------------------------------------------------------------------------------

  createIntent(input: unknown, apiKey: string, idempotencyKey: string | undefined): Answer {
    const body = parseOrThrow(createIntentSchema, input, 400);
    const fingerprint = canonicalJson(body);
    const scopedKey = idempotencyKey ? `${apiKey}\u0000${idempotencyKey}` : undefined;
    if (scopedKey) {
      const previous = this.idempotency.get(scopedKey);
      if (previous) {
        if (previous.fingerprint !== fingerprint) {
          throw new SandboxHttpError(409, `Idempotency-Key "${idempotencyKey}" was already used with a different request body`);
        }
        return { status: 200, body: previous.body, headers: { 'Idempotent-Replayed': 'true' } };
      }
    }
    if (body.account_id !== this.config.accountId) {
      throw new SandboxHttpError(422, `account_id ${body.account_id} is not an account of this API key`);
    }
    const currencies = this.config.accountCurrencies;
    if (!currencies.includes(body.billing_currency)) {
      throw new SandboxHttpError(
        422,
        currencies.length === 1
          ? `billing_currency must equal the account currency ${currencies[0]}`
          : `billing_currency must be one of the account currencies ${currencies.join(', ')}`,
      );
    }
    if (body.checkout_date && body.checkout_date < body.checkin_date) {
      throw new SandboxHttpError(422, 'checkout_date must not be before checkin_date');
    }
    const now = new Date().toISOString();
    const intent: TurnstayIntent = {
      id: this.nextIntentId++,
      lookupId: randomId('pi_'),
      scsIntentId: randomId('scs_'),
      clientSecret: randomId('cs_', 16),
      accountId: body.account_id,
      billingAmount: body.billing_amount,
      billingCurrency: body.billing_currency,
      merchantReference: body.merchant_reference ?? null,
      paymentType: body.payment_type ?? 'Card Payment',
      checkinDate: body.checkin_date,
      checkoutDate: body.checkout_date ?? null,
      customerEmail: body.customer_email ?? null,
      customerPhoneNumber: body.customer_phone_number ?? null,
      callbackUrl: body.callback_url ?? null,
      successRedirectUrl: body.success_redirect_url ?? null,
      failedRedirectUrl: body.failed_redirect_url ?? null,
      description: body.description ?? null,
      status: 'INITIALIZED',
      failureCode: null,
      failureMessage: null,
      amountRefunded: 0,
      card: null,
      createdAt: now,
      updatedAt: now,
    };
    this.intents.set(intent.lookupId, intent);
    this.intentsByScsId.set(intent.scsIntentId, intent);
    const view = this.intentView(intent);
    if (scopedKey) this.idempotency.set(scopedKey, { fingerprint, lookupId: intent.lookupId, body: view });
    this.config.logger.info(
      { lookupId: intent.lookupId, paymentType: intent.paymentType, amount: intent.billingAmount, currency: intent.billingCurrency },
      'payment intent created',
    );
    return { status: 200, body: view };
  }

  getIntent(lookupId: string): TurnstayIntent {
    const intent = this.intents.get(lookupId);
    if (!intent) throw new SandboxHttpError(404, `Payment intent ${lookupId} not found`);
    return intent;
  }

  /** The intent addressed by SCS id + client_secret (404 unknown id, 401 missing or wrong secret). */
  intentForScs(scsIntentId: string, clientSecret: unknown): TurnstayIntent {
    const intent = this.intentsByScsId.get(scsIntentId);
    if (!intent) throw new SandboxHttpError(404, `Payment intent ${scsIntentId} not found`);
    if (typeof clientSecret !== 'string' || !clientSecret) throw new SandboxHttpError(401, 'client_secret query parameter is required');
    if (clientSecret !== intent.clientSecret) throw new SandboxHttpError(401, 'client_secret is invalid for this payment intent');
    return intent;
  }

  intentView(intent: TurnstayIntent): Record<string, unknown> {
    return {
      id: intent.id,
      lookup_id: intent.lookupId,
      object: 'payment_intent',
      status: { name: intent.status },
      account_id: intent.accountId,
      billing_amount: intent.billingAmount,
      billing_currency: intent.billingCurrency,
      merchant_reference: intent.merchantReference,
      payment_type: intent.paymentType,
      checkin_date: intent.checkinDate,
      checkout_date: intent.checkoutDate,
      customer_email: intent.customerEmail,
      customer_phone_number: intent.customerPhoneNumber,
      description: intent.description,
      callback_url: intent.callbackUrl,
      success_redirect_url: intent.successRedirectUrl,
      failed_redirect_url: intent.failedRedirectUrl,
      turnstay_payment_url: `${this.config.urls().api}/checkout/${intent.lookupId}`,
      next_actions: this.nextActions(intent),
      amount_refunded: intent.amountRefunded,
      ...(intent.card ? { card: { ...intent.card } } : {}),
      ...(intent.status === 'FAILED' ? { failure_code: intent.failureCode, failure_message: intent.failureMessage } : {}),
      created_at: intent.createdAt,
      updated_at: intent.updatedAt,
    };
  }

  private secretQuery(intent: TurnstayIntent): string {
    return `client_secret=${encodeURIComponent(intent.clientSecret)}`;
  }

  challengeUrl(intent: TurnstayIntent): string {
    return `${this.config.urls().scs}/challenge/${intent.scsIntentId}?${this.secretQuery(intent)}`;
  }

  checkoutFormUrl(intent: TurnstayIntent): string {
    return `${this.config.urls().scs}/checkout/${intent.scsIntentId}?${this.secretQuery(intent)}`;
  }

  private nextActions(intent: TurnstayIntent): { type: string; url: string }[] {
    if (intent.status === 'REQUIRES_ACTION') return [{ type: '3DS Challenge', url: this.challengeUrl(intent) }];
    if (intent.status !== 'INITIALIZED' || intent.paymentType !== 'Virtual Card') return [];
    const { api, scs } = this.config.urls();
    return [
      { type: 'Tokenize Card', url: `${scs}/api/v1/card/tokenize/${intent.scsIntentId}?${this.secretQuery(intent)}` },
      { type: 'Confirm Payment', url: `${api}/api/v1/payments/intent/pay/${intent.scsIntentId}?${this.secretQuery(intent)}` },
    ];
  }

  // ---- confirm (S2S, token, hosted form) ---------------------------------------------------------------------

  /**
   * Confirms an intent once: concurrent duplicates wait for the first; an intent already past INITIALIZED answers
   * with its current outcome and is never charged again.
   */
  async confirm(intent: TurnstayIntent, source: CardSource, options: { hostedForm?: boolean } = {}): Promise<Answer> {
    if (!options.hostedForm && intent.paymentType !== 'Virtual Card') {
      throw new SandboxHttpError(400, `payment_type "${intent.paymentType}" cannot be confirmed server-to-server; S2S is available for "Virtual Card" intents (use turnstay_payment_url)`);
    }
    while (intent.processing) await intent.processing.catch(() => undefined);
    if (intent.status !== 'INITIALIZED') return this.outcomeOf(intent);
    const card = this.resolveCard(source);
    const processing = this.process(intent, card);
    intent.processing = processing;
    try {
      return await processing;
    } finally {
      if (intent.processing === processing) intent.processing = undefined;
    }
  }

  /** What confirming this intent answers now (no side effects). */
  outcomeOf(intent: TurnstayIntent): Answer {
    switch (intent.status) {
      case 'FAILED':
        return {
          status: 402,
          body: {
            detail: intent.failureCode === 'authentication_failed' ? DECLINE_MESSAGES.authentication_failed : 'Your card was declined.',
            decline_code: intent.failureCode,
            lookup_id: intent.lookupId,
          },
        };
      case 'CANCELLED':
        throw new SandboxHttpError(409, `Payment intent ${intent.lookupId} is CANCELLED and cannot be confirmed`);
      default:
        return { status: 200, body: { lookup_id: intent.lookupId, status: { name: intent.status }, next_actions: this.nextActions(intent) } };
    }
  }

  private resolveCard(source: CardSource): CardData {
    if (source.kind === 'token') {
      const { payment_method_token } = parseOrThrow(tokenConfirmSchema, source.body, 422);
      const stored = this.tokens.get(payment_method_token);
      if (!stored) throw new SandboxHttpError(422, 'payment_method_token is unknown or was not issued by this account');
      if (expiryInPast(stored.card.expMonth, stored.card.expYear)) {
        throw new SandboxHttpError(422, 'payment_method_token refers to a card whose expiry date is in the past');
      }
      return stored.card;
    }
    return this.validateCard(source.body);
  }

  validateCard(input: unknown): CardData {
    const fields: CardFields = parseOrThrow(cardFieldsSchema, input, 422);
    if (!cardNumberValid(fields.card_number)) {
      throw new SandboxHttpError(422, 'card_number is invalid: it must be 13-19 digits without spaces and pass the Luhn check');
    }
    if (expiryInPast(fields.expiry_month, fields.expiry_year)) {
      throw new SandboxHttpError(422, 'expiry_month/expiry_year: the card expiry date is in the past');
    }
    return { number: fields.card_number, expMonth: fields.expiry_month, expYear: fields.expiry_year, cvc: fields.cvc, holderName: fields.cardholder_name };
  }

  private async process(intent: TurnstayIntent, card: CardData): Promise<Answer> {
    const behaviour = behaviourOf(card.number);
    const described = describeCard(card.number);
    this.config.logger.info({ lookupId: intent.lookupId, ...described, behaviour: behaviour.kind }, 'confirming payment intent');
    if (behaviour.kind === 'provider_error') {
      throw new SandboxHttpError(500, 'Card processor error; the payment was not processed, please retry');
    }
    if (behaviour.kind === 'slow') await sleep(this.config.slowCardDelayMs);
    if ((intent.status as IntentStatus) === 'CANCELLED') return this.outcomeOf(intent);
    intent.card = described;
    if (behaviour.kind === 'challenge') {
      this.transition(intent, 'REQUIRES_ACTION', 'merchant_of_record.transaction.requires_action');
    } else if (behaviour.kind === 'decline') {
      this.fail(intent, behaviour.code);
    } else {
      this.charge(intent);
    }
    return this.outcomeOf(intent);
  }

  private transition(intent: TurnstayIntent, status: IntentStatus, eventType: TurnstayEventType, extra: Record<string, unknown> = {}): void {
    const previous = intent.status;
    intent.status = status;
    intent.updatedAt = new Date().toISOString();
    const event = buildEvent(eventType, intent, previous, extra);
    this.config.webhooks.send({ id: event.id, type: event.type, body: JSON.stringify(event) });
    this.config.logger.info({ lookupId: intent.lookupId, from: previous, to: status, eventId: event.id }, 'payment intent status changed');
  }

  private charge(intent: TurnstayIntent): void {
    this.config.ledger.charge({
      reference: intent.merchantReference ?? intent.lookupId,
      paymentId: intent.lookupId,
      amountMinor: intent.billingAmount,
      currency: intent.billingCurrency,
    });
    this.transition(intent, 'PROCESSED', 'merchant_of_record.payment_intent.succeeded');
  }

  private fail(intent: TurnstayIntent, code: DeclineCode | 'authentication_failed'): void {
    intent.failureCode = code;
    intent.failureMessage = DECLINE_MESSAGES[code];
    this.transition(intent, 'FAILED', 'merchant_of_record.payment_intent.payment_failed');
  }

  /** Finishes a 3-D Secure challenge; idempotent (a second completion answers the first result). */
  completeChallenge(intent: TurnstayIntent, outcome: 'authenticate' | 'fail'): { type: 'turnstay.challenge'; lookup_id: string; status: 'PROCESSED' | 'FAILED' } {
    if (intent.status === 'REQUIRES_ACTION') {
      if (outcome === 'authenticate') this.charge(intent);
      else this.fail(intent, 'authentication_failed');
    }
    const status = intent.status;
    if (status === 'FAILED') return { type: 'turnstay.challenge', lookup_id: intent.lookupId, status: 'FAILED' };
    if (status === 'PROCESSED' || status === 'REFUNDED' || status === 'PARTIALLY_REFUNDED') {
      return { type: 'turnstay.challenge', lookup_id: intent.lookupId, status: 'PROCESSED' };
    }
    throw new SandboxHttpError(409, `Payment intent ${intent.lookupId} has no pending challenge (status ${status})`);
  }

  cancel(lookupId: string): Answer {
    const intent = this.getIntent(lookupId);
    if (intent.processing) throw new SandboxHttpError(409, `Payment intent ${lookupId} is being processed and cannot be cancelled now`);
    if (intent.status === 'INITIALIZED' || intent.status === 'REQUIRES_ACTION') {
      this.transition(intent, 'CANCELLED', 'merchant_of_record.payment_intent.cancelled');
    } else if (intent.status !== 'CANCELLED') {
      throw new SandboxHttpError(409, `Payment intent ${lookupId} is ${intent.status} and cannot be cancelled${intent.status === 'PROCESSED' ? '; refund it instead' : ''}`);
    }
    return { status: 200, body: this.intentView(intent) };
  }

  // ---- tokens ------------------------------------------------------------------------------------------------

  private storeToken(card: CardData): Record<string, unknown> {
    const token = randomId('pm_');
    const described = describeCard(card.number);
    this.tokens.set(token, { token, card, ...described });
    this.config.logger.info({ ...described }, 'card tokenized');
    return { payment_method_token: token, card: { ...described, exp_month: card.expMonth, exp_year: card.expYear } };
  }

  /** Tokenize Card (the caller has checked the intent's client_secret). */
  tokenize(input: unknown): Answer {
    return { status: 200, body: this.storeToken(this.validateCard(input)) };
  }

  createTokenIntent(input: unknown): Answer {
    const body = parseOrThrow(tokenIntentSchema, input, 400);
    if (body.account_id !== this.config.accountId) {
      throw new SandboxHttpError(422, `account_id ${body.account_id} is not an account of this API key`);
    }
    const tokenIntent: TokenIntent = {
      id: this.nextIntentId++,
      lookupId: randomId('pmti_'),
      scsId: randomId('scs_'),
      clientSecret: randomId('cs_', 16),
      accountId: body.account_id,
      customerEmail: body.customer_email ?? null,
      status: 'INITIALIZED',
      token: null,
      card: null,
      createdAt: new Date().toISOString(),
    };
    this.tokenIntents.set(tokenIntent.scsId, tokenIntent);
    this.tokenIntentsByLookupId.set(tokenIntent.lookupId, tokenIntent);
    return { status: 200, body: this.tokenIntentView(tokenIntent) };
  }

  /**
   * Extension (sandbox/README.md): `next_actions` offers the "Tokenize Card" hosted form while the intent waits for a
   * card; once PROCESSED the view (Bearer-authenticated) carries the token and the card's brand and last four.
   */
  tokenIntentView(tokenIntent: TokenIntent): Record<string, unknown> {
    const { scs } = this.config.urls();
    const secret = `client_secret=${encodeURIComponent(tokenIntent.clientSecret)}`;
    return {
      id: tokenIntent.id,
      lookup_id: tokenIntent.lookupId,
      status: { name: tokenIntent.status },
      payment_type: 'Tokenization',
      account_id: tokenIntent.accountId,
      customer_email: tokenIntent.customerEmail,
      confirm_endpoint_url: `${scs}/api/v1/public/payment_method_token_intent/${tokenIntent.scsId}/confirm?${secret}`,
      next_actions: tokenIntent.status === 'INITIALIZED' ? [{ type: 'Tokenize Card', url: `${scs}/api/v1/card/tokenize/${tokenIntent.scsId}?${secret}` }] : [],
      ...(tokenIntent.token ? { payment_method_token: tokenIntent.token } : {}),
      ...(tokenIntent.card ? { card: { ...tokenIntent.card } } : {}),
      created_at: tokenIntent.createdAt,
    };
  }

  getTokenIntent(lookupId: string): TokenIntent {
    const tokenIntent = this.tokenIntentsByLookupId.get(lookupId);
    if (!tokenIntent) throw new SandboxHttpError(404, `Payment method token intent ${lookupId} not found`);
    return tokenIntent;
  }

  /** Whether an SCS id names a card-on-file intent (the "Tokenize Card" form then keeps the card, it charges nothing). */
  isTokenIntent(scsId: string): boolean {
    return this.tokenIntents.has(scsId);
  }

  /** The card-on-file intent addressed by SCS id + client_secret (404 unknown id, 401 missing or wrong secret). */
  tokenIntentForScs(scsId: string, clientSecret: unknown): TokenIntent {
    const tokenIntent = this.tokenIntents.get(scsId);
    if (!tokenIntent) throw new SandboxHttpError(404, `Payment method token intent ${scsId} not found`);
    if (typeof clientSecret !== 'string' || !clientSecret) throw new SandboxHttpError(401, 'client_secret query parameter is required');
    if (clientSecret !== tokenIntent.clientSecret) throw new SandboxHttpError(401, 'client_secret is invalid for this intent');
    return tokenIntent;
  }

  /** Card on file: the first confirmation issues the token; later ones answer the same token. */
  confirmTokenIntent(scsId: string, clientSecret: unknown, input: unknown): Answer {
    const tokenIntent = this.tokenIntentForScs(scsId, clientSecret);
    if (tokenIntent.token) {
      const stored = this.tokens.get(tokenIntent.token);
      if (stored) {
        return {
          status: 200,
          body: { lookup_id: tokenIntent.lookupId, payment_method_token: stored.token, card: { brand: stored.brand, last4: stored.last4, exp_month: stored.card.expMonth, exp_year: stored.card.expYear } },
        };
      }
    }
    const issued = this.storeToken(this.validateCard(input));
    tokenIntent.token = issued.payment_method_token as string;
    tokenIntent.card = { brand: (issued.card as { brand: CardBrand }).brand, last4: (issued.card as { last4: string }).last4 };
    tokenIntent.status = 'PROCESSED';
    return { status: 200, body: { lookup_id: tokenIntent.lookupId, ...issued } };
  }

  // ---- refunds -----------------------------------------------------------------------------------------------

  refund(input: unknown): Answer {
    const body = parseOrThrow(refundSchema, input, 400);
    const key = body.idempotency_key ?? undefined;
    if (key) {
      const previous = this.refundKeys.get(key);
      if (previous) {
        if (previous.payment_intent_id !== body.payment_intent_id || previous.billing_amount !== body.billing_amount) {
          throw new SandboxHttpError(409, `idempotency_key "${key}" was already used for a different refund`);
        }
        return { status: 200, body: { ...previous }, headers: { 'Idempotent-Replayed': 'true' } };
      }
    }
    const intent = this.getIntent(body.payment_intent_id);
    if (intent.status !== 'PROCESSED' && intent.status !== 'PARTIALLY_REFUNDED') {
      throw new SandboxHttpError(422, `payment_intent_id ${intent.lookupId} is ${intent.status}; only PROCESSED or PARTIALLY_REFUNDED payments can be refunded`);
    }
    const refundable = intent.billingAmount - intent.amountRefunded;
    if (body.billing_amount > refundable) {
      throw new SandboxHttpError(422, `billing_amount ${body.billing_amount} exceeds the refundable amount ${refundable}`);
    }
    const refund: TurnstayRefund = {
      id: this.nextRefundId++,
      payment_intent_id: intent.lookupId,
      billing_amount: body.billing_amount,
      billing_currency: intent.billingCurrency,
      reason: body.reason,
      status: 'COMPLETED',
      idempotency_key: key ?? null,
      created_at: new Date().toISOString(),
    };
    this.refunds.push(refund);
    if (key) this.refundKeys.set(key, refund);
    intent.amountRefunded += body.billing_amount;
    this.config.ledger.refund({
      reference: intent.merchantReference ?? intent.lookupId,
      paymentId: intent.lookupId,
      amountMinor: body.billing_amount,
      currency: intent.billingCurrency,
    });
    this.transition(intent, intent.amountRefunded === intent.billingAmount ? 'REFUNDED' : 'PARTIALLY_REFUNDED', 'merchant_of_record.refund.created', {
      refund: { id: refund.id, billing_amount: refund.billing_amount, status: refund.status },
    });
    return { status: 200, body: { ...refund } };
  }

  /** Intents created at or after `since` (ISO-8601), oldest first. */
  createdSince(since: string): TurnstayIntent[] {
    return [...this.intents.values()].filter((intent) => intent.createdAt >= since);
  }

  /** Changes made without a webhook or an answer to us (reconciliation tests). */
  readonly behindOurBack: BehindOurBack = {
    refund: (lookupId, amountMinor) => {
      const intent = this.getIntent(lookupId);
      const charged = intent.status === 'PROCESSED' || intent.status === 'PARTIALLY_REFUNDED';
      if (!charged || amountMinor > intent.billingAmount - intent.amountRefunded) {
        throw new SandboxHttpError(409, `Payment intent ${lookupId} (${intent.status}) cannot be refunded ${amountMinor}`);
      }
      intent.amountRefunded += amountMinor;
      intent.status = intent.amountRefunded === intent.billingAmount ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
      intent.updatedAt = new Date().toISOString();
      this.config.ledger.refund({ reference: intent.merchantReference ?? intent.lookupId, paymentId: lookupId, amountMinor, currency: intent.billingCurrency });
    },
    fail: (lookupId) => {
      const intent = this.getIntent(lookupId);
      intent.status = 'FAILED';
      intent.failureCode = 'card_declined';
      intent.failureMessage = DECLINE_MESSAGES.card_declined;
      intent.updatedAt = new Date().toISOString();
    },
    chargeUnrecorded: (reference, amountMinor) => {
      const { body } = this.createIntent(
        { account_id: this.config.accountId, billing_amount: amountMinor, billing_currency: this.config.accountCurrencies[0] ?? 'GBP', checkin_date: new Date().toISOString().slice(0, 10), merchant_reference: reference },
        'behind-our-back',
        undefined,
      );
      const intent = this.getIntent((body as { lookup_id: string }).lookup_id);
      intent.card = { brand: 'visa', last4: '4242' };
      intent.status = 'PROCESSED';
      this.config.ledger.charge({ reference, paymentId: intent.lookupId, amountMinor, currency: intent.billingCurrency });
      return intent.lookupId;
    },
  };

  refundsFor(lookupId: string): TurnstayRefund[] {
    return this.refunds.filter((refund) => refund.payment_intent_id === lookupId).map((refund) => ({ ...refund }));
  }
}
