import type { Request, Response } from 'express';

/** Set by a route once its `:provider` names a registered provider (a bounded set, safe as a label). */
export const KNOWN_PROVIDER_LOCAL = 'knownProvider';

/**
 * The matched route's pattern (`/v1/payments/:id`) for metrics and spans, never the path itself: paths carry payment
 * ids and the Trustist webhook secret. The one webhook route names its provider once the registry knew it, so each
 * provider's webhooks stay apart (`/webhooks/turnstay`, `/webhooks/trustist/:secret`) and an unknown name stays a pattern.
 */
export function routeLabel(req: Request, res: Response): string | undefined {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern !== 'string') return undefined;
  const provider: unknown = res.locals[KNOWN_PROVIDER_LOCAL];
  return `${req.baseUrl}${typeof provider === 'string' ? pattern.replace(':provider', provider) : pattern}`;
}
