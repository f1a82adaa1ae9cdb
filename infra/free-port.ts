import { createServer } from 'node:net';

/** A port the OS reports free right now on loopback (the dev server takes its ports as flags, not 0). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Ports for a server that binds them later or is restarted on the same ports (another process, crash tests): free now
 * and below Linux's ephemeral range (32768+), where no outgoing connection's source port and no `listen(0)` can take
 * one before the server binds it or while it is down. (From `findFreePort`, a child's port was taken so, now and then.)
 * Also below 32768 because the Temporal server stores membership ports in a smallint column.
 */
export async function findStablePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const candidate = await findPortForChild();
    if (!ports.includes(candidate)) ports.push(candidate);
  }
  return ports;
}

/** One port another process binds later (see findStablePorts). */
export async function findPortForChild(): Promise<number> {
  return findFreePortInRange(20_000, 32_000);
}

/** A free loopback port in [min, max): tried at random, checked by binding it. */
export async function findFreePortInRange(min: number, max: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const candidate = min + Math.floor(Math.random() * (max - min));
    if (await canListen(candidate)) return candidate;
  }
  throw new Error(`no free port between ${min} and ${max}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
