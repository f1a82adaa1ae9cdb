import express, { type RequestHandler, type Response } from 'express';
import { ADMIN_PREFIX, createAdminRouter } from '../shared/admin';
import { faultMiddleware } from '../shared/faults';
import { errorHandler, jsonBody, notFound, route as registerRoute, type RouteMethod } from '../shared/http';
import type { Answer } from './payments';
import { turnstayError, type TurnstayServices } from './services';

/** An Express app with the sandbox plumbing both TurnStay servers share: admin routes, request log, faults, JSON. */
export function baseApp(services: TurnstayServices, serverName: 'api' | 'scs'): express.Express {
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
      resetProviderState: () => services.payments.reset(),
      behindOurBack: services.payments.behindOurBack,
      errorBody: turnstayError,
    }),
  );
  app.use(services.requestLog.middleware(serverName, services.logger));
  app.use(faultMiddleware(services.faults, turnstayError, services.logger));
  app.use(jsonBody());
  return app;
}

/** Registers a TurnStay route (other methods answer 405). */
export function route(app: express.Express, path: string, handlers: Partial<Record<RouteMethod, RequestHandler[]>>): void {
  registerRoute(app, turnstayError, path, handlers);
}

export function send(res: Response, answer: Answer): void {
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  res.status(answer.status).json(answer.body);
}

export function finish(app: express.Express, services: TurnstayServices): express.Express {
  app.use(notFound(turnstayError));
  app.use(errorHandler(turnstayError, (error) => services.logger.error({ err: error }, 'unexpected sandbox error')));
  return app;
}
