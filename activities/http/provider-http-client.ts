import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import { PaymentFailureType } from '../payment-failure-types';

export interface ProviderHttpRequest {
  provider: string;
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Serialized once by the caller (Hawk signs the exact bytes). May carry card data: never logged or echoed. */
  body?: string;
  timeoutMs?: number;
}

export interface ProviderHttpResponse {
  status: number;
  body: unknown;
}

/**
 * One provider HTTP call with its own timeout. Connection faults, timeouts and 5xx throw plain errors so the
 * activity's retry policy backs off and retries; 401/403 are non-retryable; other statuses return for the
 * adapter to interpret. Messages name the path only: never the query (client secrets) or the body (cards).
 */
export async function callProvider(request: ProviderHttpRequest): Promise<ProviderHttpResponse> {
  const path = new URL(request.url).pathname;
  const what = `${request.provider} ${request.method} ${path}`;
  const timeout = AbortSignal.timeout(request.timeoutMs ?? 15_000);
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', ...(request.body ? { 'content-type': 'application/json' } : {}), ...request.headers },
      body: request.body,
      signal: timeout,
    });
    text = await response.text();
  } catch (error) {
    const reason = timeout.aborted ? 'timed out' : describeNetworkError(error);
    // No `cause`: the original error may quote the URL with its client_secret, and failures go into history.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`${what} ${reason}`);
  }
  if (response.status >= 500) throw new Error(`${what} answered ${response.status}`);
  if (response.status === 401 || response.status === 403) {
    throw ApplicationFailure.nonRetryable(`${what} refused our credentials (${response.status})`, PaymentFailureType.ProviderAuthenticationFailed);
  }
  let body: unknown = undefined;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
    } catch {
      throw malformed(what, `a body that is not JSON (status ${response.status})`);
    }
  }
  return { status: response.status, body };
}

function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = (cause as { code?: unknown } | undefined)?.code;
  return `failed: ${typeof code === 'string' ? code : cause instanceof Error ? cause.message : 'network error'}`;
}

export function malformed(what: string, detail: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`${what} returned ${detail}`, PaymentFailureType.MalformedProviderResponse);
}

/** Parses a provider body with its schema; a mismatch is a non-retryable failure naming the bad fields. */
export function parseProviderBody<T extends z.ZodType>(schema: T, response: ProviderHttpResponse, what: string): z.infer<T> {
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(body)').join(', ');
    throw malformed(what, `an unexpected body (status ${response.status}; fields: ${fields})`);
  }
  return parsed.data;
}
