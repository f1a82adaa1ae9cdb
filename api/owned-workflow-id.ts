import { z } from 'zod';
import { ApiError, parseOrThrow } from './api-error';

/** The `:id` path parameter of a payment or reservation route. */
export function workflowIdParamsSchema(kind: 'payment' | 'reservation') {
  return z.object({ id: z.string().regex(new RegExp(`^${kind}-[A-Za-z0-9._-]{1,160}$`), `is not a ${kind} id`) });
}

/**
 * The `:id` of a payment or reservation route, if it belongs to the calling merchant. Another merchant's id is a
 * 404, not a 403: whether it exists is not the caller's business. Ids embed the merchant (`payment-<m>-<ref>`).
 */
export function ownedWorkflowId(kind: 'payment' | 'reservation', params: unknown, merchantId: string): string {
  const { id } = parseOrThrow(workflowIdParamsSchema(kind), params, 'params');
  if (!id.startsWith(`${kind}-${merchantId}-`)) throw new ApiError(404, `${kind}_not_found`, `no such ${kind}`, 'id');
  return id;
}
