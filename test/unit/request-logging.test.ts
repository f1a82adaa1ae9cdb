import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { requestLogging } from '../../api/request-logging';

/** The request log (pino-http): one line per request with method, path, status and ms, and no secret or card data. */
describe('request logging', () => {
  const lines: Record<string, unknown>[] = [];
  const app = express();
  app.use(requestLogging(pino({ level: 'info' }, { write: (chunk: string) => void lines.push(JSON.parse(chunk) as Record<string, unknown>) })));
  app.post('/webhooks/trustist/:secret', (_req, res) => {
    res.status(401).json({ error: { code: 'unknown_webhook_url', message: 'no', field: 'url' } });
  });
  app.get('/v1/payments/:id', (_req, res) => {
    res.status(500).json({ error: { code: 'internal_error', message: 'internal error' } });
  });

  beforeEach(() => {
    lines.length = 0;
  });

  test('logs method, path, status and ms only; the Trustist URL secret, query strings and headers stay out', async () => {
    await request(app).post('/webhooks/trustist/path-secret-0123?token=query-secret').set('authorization', 'Bearer mk_header_secret').send({ card: '4111111111111111' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ msg: 'request', method: 'POST', path: '/webhooks/trustist/[secret]', status: 401, ms: expect.any(Number) });
    expect(Object.keys(lines[0] ?? {}).sort()).toEqual(['hostname', 'level', 'method', 'ms', 'msg', 'path', 'pid', 'status', 'time']);
    expect(JSON.stringify(lines)).not.toMatch(/path-secret|query-secret|mk_header_secret|4111/);
  });

  test('a secret after an empty provider segment is masked too (no route answers it, but the path is logged)', async () => {
    await request(app).post('/webhooks//path-secret-0123');
    expect(lines).toEqual([expect.objectContaining({ path: '/webhooks//[secret]', status: 404 })]);
  });

  test('a card number in the path is masked, on a 5xx too', async () => {
    await request(app).get('/v1/payments/payment-m-4111111111111111').set('cookie', 'dp_operator_session=session-secret');
    expect(lines).toEqual([expect.objectContaining({ method: 'GET', path: '/v1/payments/payment-m-[digits]', status: 500 })]);
    expect(JSON.stringify(lines)).not.toMatch(/4111111111111111|session-secret/);
  });
});
