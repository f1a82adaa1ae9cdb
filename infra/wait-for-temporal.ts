import type { ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';

/** Polls a starting Temporal server until `probe` answers through a fresh connection, or the process exits. */
export async function waitForTemporal(
  child: ChildProcess,
  address: string,
  timeoutMs: number,
  probe: (connection: Connection) => Promise<unknown>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`temporal server exited with code ${child.exitCode} while starting (see its log)`);
    try {
      // No retry interceptor: this loop retries, and an SDK retry timer left behind by a closed connection would
      // throw "Channel has been shut down" from a timer, crashing the process that waits.
      const connection = await Connection.connect({ address, connectTimeout: 1_000, interceptors: [] });
      try {
        await probe(connection);
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  throw new Error(`temporal server at ${address} did not answer within ${timeoutMs} ms: ${String(lastError)}`);
}
