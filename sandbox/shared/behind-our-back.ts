import { Router } from 'express';
import { z } from 'zod';
import type { ErrorBody } from './http';
import { jsonBody } from './http';

/**
 * What a provider does without telling the merchant (no webhook, no answer to a call of ours): a refund made in its
 * dashboard, a payment it turns FAILED, a charge it made under a reference we never recorded. Reconciliation tests
 * arrange these; the ledger records the money as it moves.
 */
export interface BehindOurBack {
  refund(paymentId: string, amountMinor: number): void;
  fail(paymentId: string): void;
  /** A charge at the provider that no payment of ours made; answers the provider's payment id. */
  chargeUnrecorded(reference: string, amountMinor: number): string;
}

const refundSchema = z.object({ amountMinor: z.number().int().positive() });
const chargeSchema = z.object({ reference: z.string().min(1).max(200), amountMinor: z.number().int().positive() });

/** `/__sandbox/behind-our-back/*` routes (no auth: sandbox only). */
export function behindOurBackRouter(target: BehindOurBack, errorBody: ErrorBody): Router {
  const router = Router();
  router.use(jsonBody());
  const invalid = (error: z.ZodError) => errorBody(400, error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  router.post('/payments/:id/refund', (req, res) => {
    const parsed = refundSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json(invalid(parsed.error));
    target.refund(String(req.params.id), parsed.data.amountMinor);
    res.json({ refunded: parsed.data.amountMinor });
  });
  router.post('/payments/:id/fail', (req, res) => {
    target.fail(String(req.params.id));
    res.json({ failed: true });
  });
  router.post('/charges', (req, res) => {
    const parsed = chargeSchema.safeParse(req.body ?? {});
    if (!parsed.success) return void res.status(400).json(invalid(parsed.error));
    res.json({ paymentId: target.chargeUnrecorded(parsed.data.reference, parsed.data.amountMinor) });
  });
  return router;
}
