/**
 * Heartbeat timeout of every provider and card-vault call. The worker heartbeats while a call runs (see
 * `worker/heartbeat-while-running.ts`), so a dead worker's call is retried elsewhere after this, not after the
 * call's start-to-close timeout. Long enough that a busy event loop is not taken for a dead process.
 */
export const WORKER_LIVENESS_TIMEOUT = '10s';
