import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { Router } from 'express';
import { z } from 'zod';
import { summarizeCard } from '../../domain/card';
import type { PaymentRequest } from '../../domain/payment-request';
import { cancelPaymentUpdate, challengeCompletedSignal, paymentStateQuery, refundRequestQuery, requestRefundUpdate } from '../../workflows/messages';
import type { RecordedRefund, RefundView, RequestRefundInput } from '../../workflows/refund-types';
import { ApiError, parseOrThrow } from '../api-error';
import { requireMerchantId } from '../merchant-auth';
import { toPayerDevice } from '../payer-device';
import {
  cancelBodySchema,
  challengeCompleteBodySchema,
  createPaymentBodySchema,
  idempotencyKeyHeaderSchema,
  listPaymentsQuerySchema,
  providerNamed,
  refundBodySchema,
} from '../payment-schemas';
import { ownedWorkflowId, workflowIdParamsSchema } from '../owned-workflow-id';
import { challengeAcceptedResponseSchema, paymentListResponseSchema, paymentResponseSchema, toPaymentResponse, type PaymentListResponse } from '../payment-response';
import type { PaymentStatus } from '../../domain/payment-status';
import type { ProviderName } from '../../domain/provider-name';
import { refundIdFor, refundRequestFingerprint } from '../refund-request';
import { refundResponseSchema, toRefundResponse } from '../refund-response';
import { errorResponses, jsonContent, jsonResponse, MERCHANT_SECURITY, type RouteDoc } from '../route-docs';
import { requestFingerprint } from '../request-fingerprint';
import { paymentWorkflowId, startPayment } from '../start-payment';
import { toApiError, toApiErrorFor } from '../temporal-errors';
import type { CreatePaymentRules } from '../payment-schemas';
import type { MerchantRouteOptions } from './merchant-route-options';

/** Merchant routes: start, read, list, and act on payments. A merchant only ever reaches its own payments. */
export function paymentRoutes(options: MerchantRouteOptions): Router {
  const router = Router();
  const createBodySchema = createPaymentBodySchema(options.rules);
  const { client, log } = options;

  const ownedPaymentId = (params: unknown, merchantId: string) => ownedWorkflowId('payment', params, merchantId);

  router.post('/v1/payments', async (req, res) => {
    const merchantId = requireMerchantId(req);
    const idempotencyKey = parseOrThrow(idempotencyKeyHeaderSchema, req.header('idempotency-key'), 'Idempotency-Key');
    const body = parseOrThrow(createBodySchema, req.body, 'body');
    const fingerprint = requestFingerprint(body, idempotencyKey);
    const request: PaymentRequest = {
      paymentId: paymentWorkflowId(merchantId, body.reference),
      merchantId,
      reference: body.reference,
      provider: body.provider,
      amountMinor: body.amountMinor,
      currency: body.currency,
      description: body.description,
      payerEmail: body.payer?.email,
      payerPhone: body.payer?.phone,
      checkinDate: body.stay?.checkinDate,
      checkoutDate: body.stay?.checkoutDate,
      ...(body.card ? { card: summarizeCard(body.card) } : {}),
    };
    let started;
    try {
      started = await startPayment({
        client,
        taskQueue: options.taskQueue,
        vault: options.vault,
        cardVaultTaskQueue: options.cardVaultTaskQueue,
        request,
        // A hosted form carries no card: the shopper types it on the provider's page.
        submission: body.card ? { card: body.card, payerDevice: body.browserData && toPayerDevice(body.browserData), billingAddress: body.billingAddress } : undefined,
        requestFingerprint: fingerprint,
        timing: options.timing,
        providerLabel: providerNamed(options.rules, body.provider)?.label,
        answerWithinMs: options.paymentAnswerWithinMs,
      });
    } catch (error) {
      throw toApiError(error, 'start');
    }
    if (!started.created && started.view.requestFingerprint !== fingerprint) {
      throw idempotencyKey
        ? new ApiError(409, 'idempotency_conflict', 'this Idempotency-Key or reference was used with a different request', 'Idempotency-Key')
        : new ApiError(409, 'reference_conflict', 'a different payment already uses this reference', 'reference');
    }
    log.info({ paymentId: request.paymentId, status: started.view.status, created: started.created }, 'payment started');
    // 202: no first outcome yet; the payment goes on, GET /v1/payments/:id and the merchant events tell the outcome.
    res
      .status(!started.firstOutcomeKnown ? 202 : started.created ? 201 : 200)
      .location(`/v1/payments/${request.paymentId}`)
      .json(toPaymentResponse(started.view));
  });

  router.get('/v1/payments', async (req, res) => {
    const merchantId = requireMerchantId(req);
    const query = parseOrThrow(listPaymentsQuerySchema, req.query, 'query');
    if (query.provider && !providerNamed(options.rules, query.provider)) {
      throw new ApiError(400, 'validation_failed', `provider: must be one of: ${options.rules.providers.map((provider) => provider.name).join(', ')}`, 'provider');
    }
    // Values are validated against closed patterns above, so quoting them cannot break out of the query.
    const clauses = [`WorkflowType = "paymentWorkflow"`, `MerchantId = "${merchantId}"`];
    if (query.status) clauses.push(`PaymentStatus = "${query.status}"`);
    if (query.provider) clauses.push(`PaymentProvider = "${query.provider}"`);
    if (query.reference) clauses.push(`MerchantReference = "${query.reference}"`);
    const payments: PaymentListResponse['payments'] = [];
    try {
      for await (const execution of client.workflow.list({ query: clauses.join(' AND '), pageSize: query.limit })) {
        const attributes = execution.searchAttributes as Record<string, unknown[] | undefined>;
        payments.push({
          id: execution.workflowId,
          status: attributes.PaymentStatus?.[0] as PaymentStatus | undefined,
          provider: attributes.PaymentProvider?.[0] as ProviderName | undefined,
          reference: attributes.MerchantReference?.[0] as string | undefined,
          amountMinor: attributes.AmountMinor?.[0] as number | undefined,
          currency: attributes.Currency?.[0] as string | undefined,
          startedAt: execution.startTime.toISOString(),
        });
        if (payments.length >= query.limit) break;
      }
    } catch (error) {
      throw toApiError(error, 'list');
    }
    res.json({ payments } satisfies PaymentListResponse);
  });

  router.get('/v1/payments/:id', async (req, res) => {
    const id = ownedPaymentId(req.params, requireMerchantId(req));
    try {
      res.json(toPaymentResponse(await client.workflow.getHandle(id).query(paymentStateQuery)));
    } catch (error) {
      throw toApiError(error, 'read');
    }
  });

  router.post('/v1/payments/:id/challenge-complete', async (req, res) => {
    const id = ownedPaymentId(req.params, requireMerchantId(req));
    const body = parseOrThrow(challengeCompleteBodySchema, req.body ?? {}, 'body');
    const handle = client.workflow.getHandle(id);
    try {
      await handle.signal(challengeCompletedSignal, { outcome: body.outcome });
    } catch (error) {
      throw await toApiErrorFor(handle, error, 'complete_challenge');
    }
    res.status(202).json({ accepted: true, id } satisfies z.infer<typeof challengeAcceptedResponseSchema>);
  });

  router.post('/v1/payments/:id/cancel', async (req, res) => {
    const id = ownedPaymentId(req.params, requireMerchantId(req));
    const body = parseOrThrow(cancelBodySchema, req.body ?? {}, 'body');
    const handle = client.workflow.getHandle(id);
    try {
      res.json(toPaymentResponse(await handle.executeUpdate(cancelPaymentUpdate, { args: [{ reason: body.reason }] })));
    } catch (error) {
      throw await toApiErrorFor(handle, error, 'cancel');
    }
  });

  router.post('/v1/payments/:id/refund', async (req, res) => {
    const id = ownedPaymentId(req.params, requireMerchantId(req));
    const idempotencyKey = parseOrThrow(idempotencyKeyHeaderSchema, req.header('idempotency-key'), 'headers');
    const body = parseOrThrow(refundBodySchema, req.body ?? {}, 'body');
    const ask = { refundId: refundIdFor(id, idempotencyKey), requestFingerprint: refundRequestFingerprint(body), amountMinor: body.amountMinor, reason: body.reason };
    const payment = client.workflow.getHandle(id);
    let recorded: RefundView;
    try {
      recorded = (await payment.executeUpdate(requestRefundUpdate, { args: [ask] })).refund;
    } catch (error) {
      recorded = await replayedRefund(payment, ask, error);
    }
    const refund = toRefundResponse(recorded);
    log.info({ paymentId: id, refundId: refund.id, status: refund.status }, 'refund requested');
    if (refund.status === 'FAILED') {
      throw new ApiError(409, 'refund_refused', refund.failure?.message ?? 'the provider refused the refund', undefined, { refund });
    }
    // PENDING: the provider has not told yet; the payment keeps asking and GET /v1/payments/:id shows the outcome.
    res.status(refund.status === 'PENDING' ? 202 : 200).location(`/v1/payments/${id}`).json(refund);
  });

  return router;
}

/**
 * When the refund update was rejected, or the payment has closed since (a full refund closes it), a retried request
 * still gets its refund: the payment keeps its records, readable by query. Anything else is the update's error.
 */
async function replayedRefund(payment: WorkflowHandle, ask: RequestRefundInput, updateError: unknown): Promise<RefundView> {
  let recorded: RecordedRefund;
  try {
    recorded = await payment.query(refundRequestQuery, ask.refundId);
  } catch {
    throw toApiError(updateError, 'refund');
  }
  if (recorded.refund) {
    if (recorded.requestFingerprint !== ask.requestFingerprint) {
      throw new ApiError(409, 'idempotency_conflict', 'this Idempotency-Key was used with a different refund request', 'Idempotency-Key');
    }
    return recorded.refund;
  }
  if (updateError instanceof WorkflowNotFoundError) {
    throw new ApiError(409, 'payment_closed', `the payment is ${recorded.paymentStatus} and closed; it takes no more refunds`);
  }
  throw toApiError(updateError, 'refund');
}

const paymentParams = workflowIdParamsSchema('payment');
const idempotencyKeyHeader = z.object({ 'Idempotency-Key': idempotencyKeyHeaderSchema });
const paymentAnswer = (description: string) => jsonResponse(description, paymentResponseSchema);

/** The payment routes as `/openapi.json` documents them, from the schemas the handlers above validate with. */
export function paymentRouteDocs(rules: CreatePaymentRules): RouteDoc[] {
  const common = { tags: ['payments'], security: MERCHANT_SECURITY };
  return [
    {
      ...common,
      method: 'post',
      path: '/v1/payments',
      summary: 'Start a payment; answers with its first outcome (COMPLETE, DECLINED, PENDING_ACTION with the challenge URL)',
      description:
        'With `method: "hosted_form"` (TurnStay only, no `card`) the first outcome is PENDING_ACTION with `nextAction.url`, ' +
        "TurnStay's hosted card form (Option A): the shopper types the card there, never through this API; the payment then " +
        'ends COMPLETE, FAILED, or EXPIRED when the form is abandoned (the intent is cancelled at TurnStay). ' +
        'After a 503, a timeout or a dropped connection, repeat the same request with the same Idempotency-Key: it answers ' +
        'the same payment, and if that payment lost the card before the provider saw it, the repeat hands its card over ' +
        '(within CARD_HANDOVER_WINDOW_MS, default 2 minutes), so the payment is charged once. ' +
        'A first outcome slower than PAYMENT_ANSWER_WITHIN_MS (default 20 s: a slow provider, or retries through its errors) ' +
        'answers 202 with the payment so far; it goes on, and GET /v1/payments/:id or the merchant events tell its outcome.',
      request: { headers: idempotencyKeyHeader, body: { required: true, content: jsonContent(createPaymentBodySchema(rules).meta({ id: 'CreatePayment' })) } },
      responses: {
        201: paymentAnswer('the new payment'),
        200: paymentAnswer('the existing payment (same reference or Idempotency-Key)'),
        202: paymentAnswer('the payment so far: no first outcome within PAYMENT_ANSWER_WITHIN_MS; it goes on'),
        ...errorResponses(400, 401, 409, 413, 503),
      },
    },
    {
      ...common,
      method: 'get',
      path: '/v1/payments',
      summary: "List the merchant's payments by status, provider or reference",
      request: { query: listPaymentsQuerySchema },
      responses: { 200: jsonResponse('payments, newest first (visibility: eventually consistent on a cluster)', paymentListResponseSchema), ...errorResponses(400, 401, 503) },
    },
    {
      ...common,
      method: 'get',
      path: '/v1/payments/{id}',
      summary: 'Read a payment',
      request: { params: paymentParams },
      responses: { 200: paymentAnswer('the payment'), ...errorResponses(400, 401, 404, 503) },
    },
    {
      ...common,
      method: 'post',
      path: '/v1/payments/{id}/challenge-complete',
      summary: "Tell the payment the shopper finished the 3-D Secure challenge (the challenge page's message)",
      request: { params: paymentParams, body: { content: jsonContent(challengeCompleteBodySchema.meta({ id: 'ChallengeComplete' })) } },
      responses: { 202: jsonResponse('accepted', challengeAcceptedResponseSchema), ...errorResponses(400, 401, 404, 409, 413, 503) },
    },
    {
      ...common,
      method: 'post',
      path: '/v1/payments/{id}/cancel',
      summary: 'Cancel: before a charge nothing is charged; after a charge it is refunded (409 refund_in_progress while a refund is PENDING)',
      request: { params: paymentParams, body: { content: jsonContent(cancelBodySchema.meta({ id: 'Cancel' })) } },
      responses: { 200: paymentAnswer('the payment'), ...errorResponses(400, 401, 404, 409, 413, 503) },
    },
    {
      ...common,
      method: 'post',
      path: '/v1/payments/{id}/refund',
      summary: 'Refund all or part of a COMPLETE payment (the whole refundable rest when amountMinor is absent)',
      description:
        'The same Idempotency-Key with the same body returns the same refund (also after the payment has closed); with another ' +
        'body it is 409 idempotency_conflict. Without a key every request is a new refund. 409 codes: amount_exceeds_refundable ' +
        '(pending refunds count), refund_refused (the provider said no; the body carries the FAILED refund), refund_in_progress, ' +
        'cannot_refund. A lost provider answer is never refund_refused: it is 202 with the refund PENDING, resolved in the background.',
      request: { params: paymentParams, headers: idempotencyKeyHeader, body: { content: jsonContent(refundBodySchema.meta({ id: 'Refund' })) } },
      responses: {
        200: jsonResponse('the refund, SUCCEEDED', refundResponseSchema),
        202: jsonResponse('the refund, PENDING: the provider has not answered within the call; read the payment for its outcome', refundResponseSchema),
        ...errorResponses(400, 401, 404, 409, 413, 503),
      },
    },
  ];
}
