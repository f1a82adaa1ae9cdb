import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * Heartbeats for every activity that asks for them (a `heartbeatTimeout` in its options) while it runs, at a
 * third of that timeout. A provider call is one HTTP request with nothing to report; the heartbeat only says "this
 * process is alive", so when the process dies the server retries after the heartbeat timeout instead of waiting
 * out the whole start-to-close timeout.
 */
export const heartbeatWhileRunning: ActivityInterceptorsFactory = (context) => ({
  inbound: {
    async execute(input, next) {
      const timeoutMs = context.info.heartbeatTimeoutMs;
      if (!timeoutMs) return next(input);
      const beat = setInterval(() => context.heartbeat(), Math.max(100, Math.floor(timeoutMs / 3)));
      try {
        return await next(input);
      } finally {
        clearInterval(beat);
      }
    },
  },
});
