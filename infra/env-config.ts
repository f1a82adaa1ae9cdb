import { z } from 'zod';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/**
 * Validates the whole environment at once and names every bad variable, not just the first; `moreProblems` (found
 * outside the schema) are reported with them.
 */
export function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env, moreProblems: string[] = []): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success && moreProblems.length === 0) return parsed.data;
  const problems = (parsed.error?.issues ?? []).map((issue) => {
    const name = issue.path.join('.') || '(environment)';
    const unset = issue.code === 'invalid_type' && (env[name] === undefined || env[name] === '');
    return `${name}: ${unset ? 'is not set' : issue.message}`;
  });
  throw new ConfigurationError([...new Set([...problems, ...moreProblems])]);
}

export const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');
export const port = z.coerce.number().int().min(0).max(65_535);
export const httpUrl = z.string().url().refine((value) => /^https?:/.test(value), 'must be an http(s) URL');

/** Text parsed as JSON, for a schema to pipe into; text that is not JSON is refused showing `shape`, what is expected. */
export const jsonText = (shape: string) =>
  z.string().transform((value, context) => {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: `must be JSON: ${shape}` });
      return z.NEVER;
    }
  });

/** A comma-separated list whose every entry must match `item` (named `what` in the message). */
export const commaList = (item: z.ZodType<string>, what: string) =>
  z.string().transform((value, context) => {
    const items = value.split(',').map((part) => part.trim()).filter(Boolean);
    for (const entry of items) {
      if (!item.safeParse(entry).success) context.addIssue({ code: 'custom', message: `each entry must be ${what}` });
    }
    return items;
  });
