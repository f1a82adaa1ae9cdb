/**
 * Lines a test keeps to show only if it fails: the SDK's expected warnings (every decline a test provokes), a fuzz
 * seed, a measured figure. The jest environment (test/support/quiet-environment.ts) adds them to a failed test's
 * report and drops them when it passes, so a green run stays short.
 */
export const SHOWN_ON_FAILURE = '__linesShownOnFailure';

/** Lines kept per test (the last ones), each cut to this many characters. */
const MAX_LINES = 200;
const MAX_LINE_CHARS = 2_000;

export function showOnFailure(line: string): void {
  const lines = (globalThis as Record<string, unknown>)[SHOWN_ON_FAILURE] as string[] | undefined;
  // Outside the quiet environment nothing would ever show it: print it now.
  if (!lines) return void process.stderr.write(`${line}\n`);
  lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
  if (lines.length > MAX_LINES) lines.splice(0, lines.length - MAX_LINES);
}
