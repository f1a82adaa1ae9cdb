import type { Server } from 'node:http';

/**
 * Idle keep-alive connections stay open longer than clients keep theirs (undici's fetch: 4 s; load balancers:
 * typically 60 s), so the client always closes first. With Node's default of 5 s, a loaded client could reuse a
 * socket in the instant the server closed it, and the request failed with ECONNRESET.
 */
export const IDLE_CONNECTION_MS = 65_000;

export function keepIdleConnectionsOpen<T extends Server>(server: T): T {
  server.keepAliveTimeout = IDLE_CONNECTION_MS;
  // Must exceed keepAliveTimeout, or a request arriving at the end of the idle window could be cut off.
  server.headersTimeout = IDLE_CONNECTION_MS + 1_000;
  return server;
}
