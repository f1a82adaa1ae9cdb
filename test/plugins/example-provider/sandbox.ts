import { createHmac, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';

/**
 * Example Pay, an invented provider: a minimal in-process sandbox with a ledger, so a test can prove money moved
 * once. Bearer key; payments idempotent on `reference`; card 4000000000003220 needs a challenge, every other card
 * is approved; refunds idempotent on `idempotencyKey`; webhooks signed `Example-Signature: <hex HMAC-SHA256 of the body>`.
 */
export const EXAMPLE_CHALLENGE_CARD = '4000000000003220';

export interface ExampleLedgerEntry {
  type: 'charge' | 'refund';
  paymentId: string;
  amountMinor: number;
}

interface ExamplePayment {
  id: string;
  reference: string;
  amountMinor: number;
  currency: string;
  status: 'requires_action' | 'succeeded' | 'cancelled';
  refunds: Map<string, { id: string; amountMinor: number }>;
}

export interface RunningExampleSandbox {
  url: string;
  apiKey: string;
  ledger: ExampleLedgerEntry[];
  setWebhook(url: string, secret: string): void;
  /** The shopper passes the challenge: the payment succeeds and a signed webhook goes out; returns the API's answer. */
  completeChallenge(paymentId: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

export async function startExampleSandbox(): Promise<RunningExampleSandbox> {
  const apiKey = `ex_${randomUUID().replace(/-/g, '')}`;
  const payments = new Map<string, ExamplePayment>();
  const ledger: ExampleLedgerEntry[] = [];
  let webhook: { url: string; secret: string } | undefined;
  const view = (payment: ExamplePayment) => ({
    id: payment.id,
    reference: payment.reference,
    status: payment.status,
    refundedMinor: [...payment.refunds.values()].reduce((sum, refund) => sum + refund.amountMinor, 0),
  });

  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    if (req.header('authorization') !== `Bearer ${apiKey}`) return void res.status(401).json({ error: 'bad key' });
    next();
  });
  app.post('/payments', (req, res) => {
    const body = req.body as { reference: string; amountMinor: number; currency: string; card: { number: string } };
    const existing = [...payments.values()].find((payment) => payment.reference === body.reference);
    if (existing) return void res.json(view(existing));
    const payment: ExamplePayment = {
      id: `ex_pay_${randomUUID().slice(0, 8)}`,
      reference: body.reference,
      amountMinor: body.amountMinor,
      currency: body.currency,
      status: body.card.number === EXAMPLE_CHALLENGE_CARD ? 'requires_action' : 'succeeded',
      refunds: new Map(),
    };
    payments.set(payment.id, payment);
    if (payment.status === 'succeeded') ledger.push({ type: 'charge', paymentId: payment.id, amountMinor: payment.amountMinor });
    res.status(201).json({ ...view(payment), ...(payment.status === 'requires_action' ? { actionUrl: `${url}/challenge/${payment.id}` } : {}) });
  });
  app.get('/payments/:id', (req, res) => {
    const payment = payments.get(req.params.id);
    if (!payment) return void res.status(404).json({ error: 'no such payment' });
    res.json(view(payment));
  });
  app.post('/payments/:id/cancel', (req, res) => {
    const payment = payments.get(req.params.id);
    if (!payment) return void res.status(404).json({ error: 'no such payment' });
    if (payment.status === 'succeeded') return void res.status(409).json({ error: 'already charged' });
    payment.status = 'cancelled';
    res.json(view(payment));
  });
  app.post('/payments/:id/refunds', (req, res) => {
    const payment = payments.get(req.params.id);
    const body = req.body as { amountMinor: number; idempotencyKey: string };
    if (!payment || payment.status !== 'succeeded') return void res.status(409).json({ error: 'not refundable' });
    const repeated = payment.refunds.get(body.idempotencyKey);
    if (repeated) return void res.json(repeated);
    if (view(payment).refundedMinor + body.amountMinor > payment.amountMinor) return void res.status(409).json({ error: 'more than charged' });
    const refund = { id: `ex_re_${randomUUID().slice(0, 8)}`, amountMinor: body.amountMinor };
    payment.refunds.set(body.idempotencyKey, refund);
    ledger.push({ type: 'refund', paymentId: payment.id, amountMinor: refund.amountMinor });
    res.status(201).json(refund);
  });

  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    apiKey,
    ledger,
    setWebhook(webhookUrl, secret) {
      webhook = { url: webhookUrl, secret };
    },
    async completeChallenge(paymentId) {
      const payment = payments.get(paymentId);
      if (!payment || payment.status !== 'requires_action' || !webhook) throw new Error(`payment ${paymentId} awaits no challenge, or no webhook is set`);
      payment.status = 'succeeded';
      ledger.push({ type: 'charge', paymentId: payment.id, amountMinor: payment.amountMinor });
      const body = JSON.stringify({ eventId: `ex_evt_${randomUUID().slice(0, 8)}`, type: 'payment.succeeded', payment: view(payment) });
      const signature = createHmac('sha256', webhook.secret).update(body).digest('hex');
      const response = await fetch(webhook.url, { method: 'POST', headers: { 'content-type': 'application/json', 'example-signature': signature }, body });
      return { status: response.status, body: await response.json() };
    },
    close: () => new Promise((done) => server.close(() => done())),
  };
}
