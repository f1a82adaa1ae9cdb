import type express from 'express';
import type { Request, RequestHandler } from 'express';
import { SandboxHttpError } from '../shared/http';
import { parseOrThrow } from '../shared/validation';
import { baseApp, finish, route, send } from './routes';
import { checkExistingRefundSchema } from './schemas';
import type { TurnstayServices } from './services';

/** The TurnStay API server: intents, card-on-file intents, refunds, cancel, hosted checkout redirect. */

const API_KEY = Symbol('turnstay.apiKey');

function bearerAuth(apiKeys: readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const challenge = { 'WWW-Authenticate': 'Bearer realm="TurnStay"' };
    if (!match?.[1]) throw new SandboxHttpError(401, 'Authentication credentials were not provided: send Authorization: Bearer sk_test_...', {}, challenge);
    const key = match[1];
    if (key.startsWith('pub_')) throw new SandboxHttpError(401, 'Publishable keys (pub_...) cannot be used for server-side requests', {}, challenge);
    if (!apiKeys.includes(key)) throw new SandboxHttpError(401, 'Invalid API key', {}, challenge);
    (req as unknown as Record<symbol, string>)[API_KEY] = key;
    next();
  };
}

const param = (req: Request, name: string): string => String(req.params[name] ?? '');

export function createTurnstayApiApp(services: TurnstayServices): express.Express {
  const { payments } = services;
  const app = baseApp(services, 'api');
  const auth = bearerAuth(services.apiKeys);

  route(app, '/api/v1/payments/intent', {
    post: [
      auth,
      (req, res) => {
        const apiKey = (req as unknown as Record<symbol, string>)[API_KEY] ?? '';
        send(res, payments.createIntent(req.body, apiKey, req.get('idempotency-key') || undefined));
      },
    ],
  });

  // "Confirm Payment" next action: GET shows the hosted card form; POST confirms with a payment_method_token.
  route(app, '/api/v1/payments/intent/pay/:scsIntentId', {
    get: [
      (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        res.redirect(302, payments.checkoutFormUrl(intent));
      },
    ],
    post: [
      async (req, res) => {
        const intent = payments.intentForScs(param(req, 'scsIntentId'), req.query.client_secret);
        send(res, await payments.confirm(intent, { kind: 'token', body: req.body }));
      },
    ],
  });

  // Sandbox extension (TurnStay documents no listing): recent intents, for reconciliation.
  route(app, '/api/v1/payments/intents', {
    get: [
      auth,
      (req, res) => {
        const since = req.query.created_after;
        if (typeof since !== 'string' || Number.isNaN(Date.parse(since))) throw new SandboxHttpError(400, 'created_after must be an ISO-8601 time');
        res.json({ data: payments.createdSince(new Date(since).toISOString()).map((intent) => payments.intentView(intent)) });
      },
    ],
  });

  route(app, '/api/v1/payments/intent/:lookupId', {
    get: [auth, (req, res) => void res.json(payments.intentView(payments.getIntent(param(req, 'lookupId'))))],
  });

  route(app, '/api/v1/payments/intent/:lookupId/cancel', {
    post: [auth, (req, res) => send(res, payments.cancel(param(req, 'lookupId')))],
  });

  route(app, '/api/v1/payment_method_token_intent', {
    post: [auth, (req, res) => send(res, payments.createTokenIntent(req.body))],
  });

  // Extension: the card-on-file intent's status, with its token once the hosted "Tokenize Card" form was filled in.
  route(app, '/api/v1/payment_method_token_intent/:lookupId', {
    get: [auth, (req, res) => void res.json(payments.tokenIntentView(payments.getTokenIntent(param(req, 'lookupId'))))],
  });

  route(app, '/api/v1/refund', {
    post: [auth, (req, res) => send(res, payments.refund(req.body))],
  });

  route(app, '/api/v1/refund/check-existing', {
    post: [
      auth,
      (req, res) => {
        const { payment_intent_id } = parseOrThrow(checkExistingRefundSchema, req.body, 400);
        payments.getIntent(payment_intent_id);
        res.json(payments.refundsFor(payment_intent_id));
      },
    ],
  });

  // turnstay_payment_url: the hosted checkout (served by the SCS).
  route(app, '/checkout/:lookupId', {
    get: [(req, res) => res.redirect(302, payments.checkoutFormUrl(payments.getIntent(param(req, 'lookupId'))))],
  });

  return finish(app, services);
}
