import { Router } from 'express';
import { z } from 'zod';
import { behindOurBackRouter, type BehindOurBack } from './behind-our-back';
import { faultConfigSchema, type FaultInjector } from './faults';
import type { ErrorBody } from './http';
import { jsonBody } from './http';
import type { Ledger } from './ledger';
import type { RequestLog } from './request-log';
import { webhookModeSchema, type WebhookDispatcher } from './webhook-dispatcher';

/** What the admin routes of one sandbox instance operate on. */
export interface AdminTargets {
  ledger: Ledger;
  requestLog: RequestLog;
  faults: FaultInjector;
  webhooks: WebhookDispatcher;
  /** Clears the provider's own state (payments, idempotency keys, tokens, nonces). */
  resetProviderState: () => void;
  errorBody: ErrorBody;
  /** Changes the provider makes without telling us (reconciliation tests). */
  behindOurBack?: BehindOurBack;
}

export const ADMIN_PREFIX = '/__sandbox';

function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`).join('; ');
}

/** `/__sandbox/*`: ledger, request log, faults, webhook switches, reset. No auth (sandbox only). */
export function createAdminRouter(targets: AdminTargets): Router {
  const router = Router();
  router.use(jsonBody());
  const { ledger, requestLog, faults, webhooks, errorBody } = targets;

  router.get('/ledger', (req, res) => {
    const reference = typeof req.query.reference === 'string' ? req.query.reference : undefined;
    const paymentId = typeof req.query.paymentId === 'string' ? req.query.paymentId : undefined;
    res.json({ entries: ledger.list({ reference, paymentId }) });
  });

  router.get('/requests', (_req, res) => void res.json({ requests: requestLog.list() }));

  router.get('/faults', (_req, res) => void res.json(faults.current()));
  router.post('/faults', (req, res) => {
    const parsed = faultConfigSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json(errorBody(400, describeZodError(parsed.error)));
    faults.configure(parsed.data);
    res.json(faults.current());
  });

  router.get('/webhooks', (_req, res) => void res.json(webhooks.log()));
  router.post('/webhooks', (req, res) => {
    const parsed = webhookModeSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json(errorBody(400, describeZodError(parsed.error)));
    webhooks.setMode(parsed.data);
    res.json({ mode: webhooks.mode });
  });
  router.post('/webhooks/flush', (_req, res) => void res.json({ released: webhooks.flush() }));

  router.post('/reset', (_req, res) => {
    ledger.clear();
    requestLog.clear();
    faults.clear();
    webhooks.reset();
    targets.resetProviderState();
    res.json({ reset: true });
  });

  if (targets.behindOurBack) router.use('/behind-our-back', behindOurBackRouter(targets.behindOurBack, errorBody));

  router.use((req, res) => void res.status(404).json(errorBody(404, `No admin route for ${req.method} ${ADMIN_PREFIX}${req.path}`)));
  return router;
}
