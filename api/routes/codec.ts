import cors from 'cors';
import express, { Router } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { ApiError, parseOrThrow } from '../api-error';
import type { OperatorAuth } from '../operator-auth';
import { errorResponses, jsonContent, jsonResponse, OPERATOR_SECURITY, type RouteDoc } from '../route-docs';

/** Payloads as the Web UI sends and reads them: metadata values and data base64-encoded. */
const payloadsBodySchema = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string(), z.string()).optional(), data: z.string().optional() }))
      .max(1_000),
  })
  .meta({ id: 'Payloads' });
type PayloadsBody = z.infer<typeof payloadsBodySchema>;

/**
 * The remote codec the Temporal Web UI (and `temporal --codec-endpoint`) calls to show decoded payloads, for
 * authenticated operators only. Payload bytes travel base64-encoded in JSON, as the UI sends them.
 */
export function codecRoutes(options: { codec: PayloadCodec; operatorAuth: OperatorAuth; allowedOrigins: string[] }): Router {
  const router = Router();
  // The Web UI calls from its own origin with the operator's session cookie: only configured origins are answered.
  const crossOrigin = cors({
    origin: options.allowedOrigins,
    credentials: true,
    methods: ['POST', 'OPTIONS'],
    allowedHeaders: ['content-type', 'x-namespace', 'authorization'],
  });
  const json = express.json({ limit: '4mb' });
  const auth = options.operatorAuth.middleware();

  for (const direction of ['encode', 'decode'] as const) {
    router.options(`/codec/${direction}`, crossOrigin);
    router.post(`/codec/${direction}`, crossOrigin, auth, json, async (req, res) => {
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
      } satisfies PayloadsBody);
    });
  }
  return router;
}

/** The codec routes as `/openapi.json` documents them (the browser's CORS preflight, OPTIONS, is not listed). */
export function codecRouteDocs(): RouteDoc[] {
  return (['encode', 'decode'] as const).map((direction) => ({
    tags: ['operators'],
    security: OPERATOR_SECURITY,
    method: 'post',
    path: `/codec/${direction}`,
    summary: `${direction === 'encode' ? 'Encrypt' : 'Decrypt'} payloads for the Temporal Web UI or \`temporal --codec-endpoint\` (operators only)`,
    request: { body: { required: true, content: jsonContent(payloadsBodySchema) } },
    responses: { 200: jsonResponse(`the payloads, ${direction}d`, payloadsBodySchema), ...errorResponses(400, 401, 413) },
  }));
}
