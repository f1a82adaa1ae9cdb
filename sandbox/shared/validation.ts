import type { z } from 'zod';
import { SandboxHttpError } from './http';

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** One readable message naming the field of the first issue ("billing_amount is required"). */
export function describeIssue(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid request';
  const path = issue.path.map(String).join('.');
  if (!path) return issue.code === 'invalid_type' ? 'Request body must be a JSON object' : issue.message;
  const value = valueAt(input, issue.path);
  if (value === undefined || value === null) return `${path} is required`;
  return issue.message.startsWith('must ') ? `${path} ${issue.message}` : `${path}: ${issue.message}`;
}

/** Parses or throws a SandboxHttpError with the given status and a message naming the field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, status: number): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new SandboxHttpError(status, describeIssue(result.error, input));
  return result.data;
}
