import type express from 'express';
import type { Request } from 'express';
import { renderChallengePage, formatAmount } from '../shared/challenge-page';
import { parseOrThrow } from '../shared/validation';
import { renderCheckoutPage } from './checkout-page';
import { baseApp, finish, route, send } from './routes';
import { challengeCompleteSchema } from './schemas';
import type { TurnstayServices } from './services';

/**
 * TurnStay's Secure Card Service (its own port): S2S confirm, card tokenization, card-on-file confirmation, the
 * hosted card form and the 3-D Secure challenge page. No Bearer key: every route is addressed by client_secret.
 */
const param = (req: Request, name: string): string => String(req.params[name] ?? '');

function withCardFields(body: unknown): boolean {
  return !!body && typeof body === 'object' && !('payment_method_token' in body);
}

export function createTurnstayScsApp(services: TurnstayServices): express.Express {
  const { payments } = services;
  const app = baseApp(services, 'scs');

  route(app, '/api/v1/public/payment/intent/:scsIntentId/confirm', {
    post: [
      async (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        const source = withCardFields(req.body) ? ({ kind: 'card', body: req.body } as const) : ({ kind: 'token', body: req.body } as const);
        send(res, await payments.confirm(intent, source));
      },
    ],
  });

  route(app, '/api/v1/card/tokenize/:scsIntentId', {
    get: [
      (req, res) => {
        const scsId = param(req, 'scsIntentId');
        if (payments.isTokenIntent(scsId)) {
          // A card-on-file intent's "Tokenize Card" form keeps the card and charges nothing.
          const tokenIntent = payments.tokenIntentForScs(scsId, req.query.client_secret);
          res.type('html').send(
            renderCheckoutPage({
              mode: 'tokenize',
              lookupId: tokenIntent.lookupId,
              reference: tokenIntent.lookupId,
              submitUrl: `/api/v1/public/payment_method_token_intent/${tokenIntent.scsId}/confirm?client_secret=${encodeURIComponent(tokenIntent.clientSecret)}`,
              successRedirectUrl: null,
              failedRedirectUrl: null,
            }),
          );
          return;
        }
        const intent = payments.intentForScs(scsId, req.query.client_secret);
        res.redirect(302, payments.checkoutFormUrl(intent));
      },
    ],
    post: [
      (req, res) => {
        payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        send(res, payments.tokenize(req.body));
      },
    ],
  });

  route(app, '/api/v1/public/payment_method_token_intent/:scsId/confirm', {
    post: [(req, res) => send(res, payments.confirmTokenIntent(param(req, 'scsId'), req.query.client_secret, req.body))],
  });

  route(app, '/checkout/:scsIntentId', {
    get: [
      (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        res.type('html').send(
          renderCheckoutPage({
            mode: 'pay',
            lookupId: intent.lookupId,
            amountMinor: intent.billingAmount,
            currency: intent.billingCurrency,
            reference: intent.merchantReference ?? intent.lookupId,
            submitUrl: `/checkout/${intent.scsIntentId}/submit?client_secret=${encodeURIComponent(intent.clientSecret)}`,
            successRedirectUrl: intent.successRedirectUrl,
            failedRedirectUrl: intent.failedRedirectUrl,
          }),
        );
      },
    ],
  });

  route(app, '/checkout/:scsIntentId/submit', {
    post: [
      async (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        send(res, await payments.confirm(intent, { kind: 'card', body: req.body }, { hostedForm: true }));
      },
    ],
  });

  route(app, '/challenge/:scsIntentId', {
    get: [
      (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        res.type('html').send(
          renderChallengePage({
            provider: 'TurnStay',
            amountText: formatAmount(intent.billingAmount, intent.billingCurrency),
            cardText: intent.card ? `${intent.card.brand} •••• ${intent.card.last4}` : 'card',
            reference: intent.merchantReference ?? intent.lookupId,
            completeUrl: `/challenge/${intent.scsIntentId}/complete?client_secret=${encodeURIComponent(intent.clientSecret)}`,
          }),
        );
      },
    ],
  });

  route(app, '/challenge/:scsIntentId/complete', {
    post: [
      (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        const { outcome } = parseOrThrow(challengeCompleteSchema, req.body, 422);
        res.json(payments.completeChallenge(intent, outcome));
      },
    ],
  });

  return finish(app, services);
}
