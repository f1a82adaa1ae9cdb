import express, { type Request } from 'express';
import type { Logger } from 'pino';
import { ADMIN_PREFIX, createAdminRouter } from '../shared/admin';
import { formatAmount, renderChallengePage } from '../shared/challenge-page';
import { faultMiddleware, type FaultInjector } from '../shared/faults';
import { errorHandler, jsonBody, notFound, route, SandboxHttpError } from '../shared/http';
import type { Ledger } from '../shared/ledger';
import type { RequestLog } from '../shared/request-log';
import { parseOrThrow } from '../shared/validation';
import type { WebhookDispatcher } from '../shared/webhook-dispatcher';
import { hawkAuth, type NonceStore } from './hawk';
import type { TrustistPayments } from './payments';
import { challengeCompleteSchema } from './schemas';

/** The Trustist API server: Hawk-authenticated S2S payments, status, refunds, cancel, and the hosted challenge. */

export interface TrustistServices {
  payments: TrustistPayments;
  ledger: Ledger;
  requestLog: RequestLog;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  logger: Logger;
  credentials: readonly { id: string; key: string }[];
  nonces: NonceStore;
}

/** Trustist's error body: a string message. */
export const trustistError = (_status: number, message: string) => ({ error: message });

const param = (req: Request, name: string): string => String(req.params[name] ?? '');

function paymentIdQuery(req: Request): string {
  const id = req.query.paymentId;
  if (typeof id !== 'string' || !id) throw new SandboxHttpError(400, 'paymentId query parameter is required');
  return id;
}

function sinceQuery(value: unknown): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new SandboxHttpError(400, 'createdAfter query parameter must be an ISO-8601 time');
  return new Date(value).toISOString();
}

export function createTrustistApp(services: TrustistServices): express.Express {
  const { payments } = services;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    ADMIN_PREFIX,
    createAdminRouter({
      ledger: services.ledger,
      requestLog: services.requestLog,
      faults: services.faults,
      webhooks: services.webhooks,
      resetProviderState: () => {
        payments.reset();
        services.nonces.clear();
      },
      errorBody: trustistError,
      behindOurBack: payments.behindOurBack,
    }),
  );
  app.use(services.requestLog.middleware('api', services.logger));
  app.use(faultMiddleware(services.faults, trustistError, services.logger));
  app.use(jsonBody());
  const auth = hawkAuth(services.credentials, services.nonces);

  route(app, trustistError, '/v1/payments/server-to-server', {
    post: [auth, async (req, res) => void res.json(await payments.serverToServer(req.body))],
  });
  // Sandbox extension (Trustist documents no listing): recent payments, for reconciliation.
  route(app, trustistError, '/v1/payments', {
    get: [auth, (req, res) => void res.json({ payments: payments.createdSince(sinceQuery(req.query.createdAfter)).map((payment) => payments.view(payment)) })],
  });
  route(app, trustistError, '/v1/payments/:id', {
    get: [auth, (req, res) => void res.json(payments.view(payments.get(param(req, 'id'))))],
  });
  route(app, trustistError, '/v1/payments/:id/refunds', {
    post: [auth, (req, res) => void res.json(payments.refund(param(req, 'id'), req.body))],
  });
  route(app, trustistError, '/v1/payments/:id/cancel', {
    post: [auth, (req, res) => void res.json(payments.cancel(param(req, 'id')))],
  });

  route(app, trustistError, '/challenge', {
    get: [
      (req, res) => {
        const payment = payments.get(paymentIdQuery(req));
        res.type('html').send(
          renderChallengePage({
            provider: 'Trustist',
            amountText: formatAmount(payment.amountMinor, payment.currency),
            cardText: `${payment.card.brand} •••• ${payment.card.last4}`,
            reference: payment.reference,
            completeUrl: `/challenge/complete?paymentId=${encodeURIComponent(payment.id)}`,
          }),
        );
      },
    ],
  });
  route(app, trustistError, '/challenge/complete', {
    post: [
      (req, res) => {
        const id = paymentIdQuery(req);
        const { outcome } = parseOrThrow(challengeCompleteSchema, req.body, 400);
        res.json(payments.completeChallenge(id, outcome));
      },
    ],
  });

  app.use(notFound(trustistError));
  app.use(errorHandler(trustistError, (error) => services.logger.error({ err: error }, 'unexpected sandbox error')));
  return app;
}
