import type { Server } from 'node:http';

/**
 * Graceful stop of an HTTP server: refuse new connections, let every request already received finish (a payment
 * request waits for its first outcome, which needs this process's card vault), then close what is left.
 */
export function drainOnStop(server: Server): { drain(graceMs: number): Promise<{ unfinished: number }> } {
  let inFlight = 0;
  let draining = false;
  let settled: (() => void) | undefined;
  server.on('request', (_req, res) => {
    inFlight += 1;
    // A kept-alive connection must not carry a new request into a stopping process.
    if (draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      inFlight -= 1;
      if (draining && inFlight === 0) settled?.();
    });
  });
  return {
    async drain(graceMs) {
      draining = true;
      const closed = new Promise((done) => server.close(done));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((done) => {
          settled = done;
          setTimeout(done, graceMs).unref();
        });
      }
      const unfinished = inFlight;
      server.closeAllConnections();
      await closed;
      return { unfinished };
    },
  };
}
