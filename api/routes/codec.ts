import express, { Router, type RequestHandler } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { ApiError, parseOrThrow } from '../api-error';
import type { OperatorAuth } from '../operator-auth';

const payloadsBodySchema = z.object({
  payloads: z
    .array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }))
    .max(1_000),
});

/**
 * The remote codec the Temporal Web UI (and `temporal --codec-endpoint`) calls to show decoded payloads, for
 * authenticated operators only. Payload bytes travel base64-encoded in JSON, as the UI sends them.
 */
export function codecRoutes(options: { codec: PayloadCodec; operatorAuth: OperatorAuth; allowedOrigins: string[] }): Router {
  const router = Router();
  const cors: RequestHandler = (req, res, next) => {
    const origin = req.header('origin');
    if (origin && options.allowedOrigins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', 'content-type, x-namespace, authorization');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  };
  const json = express.json({ limit: '4mb' });
  const auth = options.operatorAuth.middleware();

  for (const direction of ['encode', 'decode'] as const) {
    router.options(`/codec/${direction}`, cors);
    router.post(`/codec/${direction}`, cors, auth, json, async (req, res) => {
      const body = parseOrThrow(payloadsBodySchema, req.body, 'body');
      const payloads: Payload[] = body.payloads.map((payload) => ({
        metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')])),
        data: Buffer.from(payload.data ?? '', 'base64'),
      }));
      let result: Payload[];
      try {
        result = direction === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
      } catch (error) {
        throw new ApiError(400, `cannot_${direction}`, `payloads could not be ${direction}d: ${(error as Error).message}`, 'payloads');
      }
      res.json({
        payloads: result.map((payload) => ({
          metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
          data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
        })),
      });
    });
  }
  return router;
}
