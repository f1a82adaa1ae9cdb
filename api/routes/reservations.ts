import { Router } from 'express';
import { z } from 'zod';
import type { WorkflowHandle } from '@temporalio/client';
import { summarizeCard } from '../../domain/card';
import { cancelReservationUpdate, changeAmountUpdate, changeStayUpdate, reservationStateQuery } from '../../workflows/messages';
import type { ReservationView } from '../../workflows/reservation-types';
import { ApiError, parseOrThrow } from '../api-error';
import { requireMerchantId } from '../merchant-auth';
import { toPayerDevice } from '../payer-device';
import { cancelBodySchema, idempotencyKeyHeaderSchema, providerNamed } from '../payment-schemas';
import { requestFingerprint } from '../request-fingerprint';
import { ownedWorkflowId, workflowIdParamsSchema } from '../owned-workflow-id';
import { reservationResponseSchema, toReservationResponse } from '../reservation-response';
import { changeAmountBodySchema, changeStayBodySchema, createReservationBodySchema } from '../reservation-schemas';
import { errorResponses, jsonContent, jsonResponse, MERCHANT_SECURITY, type RouteDoc } from '../route-docs';
import { reservationWorkflowId, startReservation } from '../start-reservation';
import { toApiError, toApiErrorFor } from '../temporal-errors';
import type { CreatePaymentRules } from '../payment-schemas';
import type { MerchantRouteOptions } from './merchant-route-options';

export function reservationRoutes(options: MerchantRouteOptions): Router {
  const router = Router();
  const { client, log } = options;
  const ownedId = (params: unknown, merchantId: string) => ownedWorkflowId('reservation', params, merchantId);
  const createBodySchema = createReservationBodySchema(options.rules);

  router.post('/v1/reservations', async (req, res) => {
    const merchantId = requireMerchantId(req);
    const idempotencyKey = parseOrThrow(idempotencyKeyHeaderSchema, req.header('idempotency-key'), 'Idempotency-Key');
    const body = parseOrThrow(createBodySchema, req.body, 'body');
    const currencies = providerNamed(options.rules, body.provider)?.currencies;
    if (currencies && !currencies.codes.includes(body.currency)) throw new ApiError(400, 'validation_failed', `currency: ${currencies.message}`, 'currency');
    const fingerprint = requestFingerprint(body, idempotencyKey);
    const reservationId = reservationWorkflowId(merchantId, body.reference);
    let started;
    try {
      started = await startReservation({
        client,
        taskQueue: options.taskQueue,
        vault: options.vault,
        cardVaultTaskQueue: options.cardVaultTaskQueue,
        keepCardOnFile: options.keepCardOnFile,
        log,
        requestFingerprint: fingerprint,
        submission: body.card ? { card: body.card, payerDevice: body.browserData && toPayerDevice(body.browserData), billingAddress: body.billingAddress } : undefined,
        input: {
          reservationId,
          merchantId,
          reference: body.reference,
          provider: body.provider,
          currency: body.currency,
          description: body.description,
          payerEmail: body.payer?.email,
          payerPhone: body.payer?.phone,
          policy: body.policy,
          refundableOnCancel: body.refundableOnCancel,
          ...(body.card ? { card: summarizeCard(body.card) } : {}),
          dunningDelaysMs: body.dunning?.delaysSeconds.map((seconds) => seconds * 1_000),
          paymentTiming: options.timing,
          initial: { amountMinor: body.amountMinor, stay: body.stay },
        },
      });
    } catch (error) {
      throw toApiError(error, 'start');
    }
    if (!started.created && started.fingerprint !== fingerprint) {
      throw new ApiError(409, idempotencyKey ? 'idempotency_conflict' : 'reference_conflict', 'a different reservation already uses this reference or Idempotency-Key', idempotencyKey ? 'Idempotency-Key' : 'reference');
    }
    log.info({ reservationId, status: started.view.status, created: started.created }, 'reservation booked');
    res.status(started.created ? 201 : 200).location(`/v1/reservations/${reservationId}`).json(toReservationResponse(started.view));
  });

  router.get('/v1/reservations/:id', async (req, res) => {
    const id = ownedId(req.params, requireMerchantId(req));
    try {
      res.json(toReservationResponse(await client.workflow.getHandle(id).query(reservationStateQuery)));
    } catch (error) {
      throw toApiError(error, 'read');
    }
  });

  const change = <T>(path: string, action: string, parse: (body: unknown) => T, run: (handle: WorkflowHandle, input: T) => Promise<ReservationView>) => {
    router.post(`/v1/reservations/:id/${path}`, async (req, res) => {
      const id = ownedId(req.params, requireMerchantId(req));
      const input = parse(req.body ?? {});
      const handle = client.workflow.getHandle(id);
      try {
        res.json(toReservationResponse(await run(handle, input)));
      } catch (error) {
        throw await toApiErrorFor(handle, error, action, 'reservation');
      }
    });
  };
  change('change-stay', 'change', (body) => parseOrThrow(changeStayBodySchema, body, 'body'), (handle, stay) =>
    handle.executeUpdate(changeStayUpdate, { args: [stay] }));
  change('change-amount', 'change', (body) => parseOrThrow(changeAmountBodySchema, body, 'body'), (handle, amount) =>
    handle.executeUpdate(changeAmountUpdate, { args: [amount] }));
  router.post('/v1/reservations/:id/cancel', async (req, res) => {
    const id = ownedId(req.params, requireMerchantId(req));
    const cancel = parseOrThrow(cancelBodySchema, req.body ?? {}, 'body');
    const handle = client.workflow.getHandle(id);
    let view: ReservationView;
    try {
      view = await handle.executeUpdate(cancelReservationUpdate, { args: [cancel] });
    } catch (error) {
      throw await toApiErrorFor(handle, error, 'cancel', 'reservation');
    }
    // 202: cancelled, but the provider has not confirmed the refund yet; the reservation turns REFUNDED when it does.
    res.status(view.refundPending ? 202 : 200).json(toReservationResponse(view));
  });
  return router;
}

const reservationParams = workflowIdParamsSchema('reservation');
const reservationAnswer = (description: string) => jsonResponse(description, reservationResponseSchema);

/** The reservation routes as `/openapi.json` documents them, from the schemas the handlers above validate with. */
export function reservationRouteDocs(rules: CreatePaymentRules): RouteDoc[] {
  const common = { tags: ['reservations'], security: MERCHANT_SECURITY };
  const change = (path: string, summary: string, body: z.ZodType): RouteDoc => ({
    ...common,
    method: 'post',
    path: `/v1/reservations/{id}/${path}`,
    summary,
    request: { params: reservationParams, body: { required: true, content: jsonContent(body) } },
    responses: { 200: reservationAnswer('the reservation'), ...errorResponses(400, 401, 404, 409, 413, 503) },
  });
  return [
    {
      ...common,
      method: 'post',
      path: '/v1/reservations',
      summary: 'Book a stay: keeps the card on file (TurnStay) or charges now, then charges on the policy\'s dates',
      request: {
        headers: z.object({ 'Idempotency-Key': idempotencyKeyHeaderSchema }),
        body: { required: true, content: jsonContent(createReservationBodySchema(rules).meta({ id: 'CreateReservation' })) },
      },
      responses: {
        201: reservationAnswer('the new reservation'),
        200: reservationAnswer('the existing reservation (same reference or Idempotency-Key)'),
        ...errorResponses(400, 401, 409, 413, 503),
      },
    },
    {
      ...common,
      method: 'get',
      path: '/v1/reservations/{id}',
      summary: 'Read a reservation',
      request: { params: reservationParams },
      responses: { 200: reservationAnswer('the reservation'), ...errorResponses(400, 401, 404, 503) },
    },
    change('change-stay', 'Move the stay: charges not yet taken follow the new dates', changeStayBodySchema.meta({ id: 'ChangeStay' })),
    change('change-amount', 'Change the amount: charges not yet taken follow it', changeAmountBodySchema.meta({ id: 'ChangeAmount' })),
    {
      ...common,
      method: 'post',
      path: '/v1/reservations/{id}/cancel',
      summary: 'Cancel the stay: charges not taken are dropped; taken ones are refunded when refundableOnCancel',
      request: { params: reservationParams, body: { content: jsonContent(cancelBodySchema) } },
      responses: {
        200: reservationAnswer('the reservation, cancelled'),
        202: reservationAnswer('cancelled; the provider has not confirmed the refund yet (refundPending), the reservation turns REFUNDED when it does'),
        ...errorResponses(400, 401, 404, 409, 413, 503),
      },
    },
  ];
}
