/** Waits `ms`: for a pace between tries, or to show that something does not happen; never to wait for something to happen. */
export const pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * Polls until `check` returns a value (not undefined) or the time is up; the error names what it waited for
 * (`what` as a function is read at the timeout, so it can tell what was seen last).
 */
export async function waitUntil<T>(what: string | (() => string), check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await pause(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
}
