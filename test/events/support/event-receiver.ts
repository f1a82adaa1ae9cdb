import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { waitUntil } from '../../support/wait-until';

export interface ReceivedEvent {
  id: string;
  type: string;
  timestamp: string;
  data: { sequence: number; status: string; paymentId?: string; reservationId?: string } & Record<string, unknown>;
}

/**
 * A merchant's receiver on loopback, as a merchant would write it: every delivery is verified with the
 * `standardwebhooks` package before it counts. It can answer 500 for a while, answer slowly, or be down.
 */
export class EventReceiver {
  /** Verified deliveries in arrival order (duplicates included). */
  readonly deliveries: ReceivedEvent[] = [];
  /** Raw bodies of every request, verified or not (the card-data check reads them). */
  readonly rawBodies: string[] = [];
  verificationFailures = 0;
  /** Answer 500 to this many more deliveries before answering 204. */
  failNext = 0;
  delayMs = 0;
  /** Most requests this receiver had open at once (the per-endpoint bound caps it). */
  maxConcurrent = 0;
  private open = 0;
  private server?: Server;
  private port = 0;

  constructor(readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/events`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      void this.handle(req).then((status) => {
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Down: the port refuses connections until start() again (same port). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** Each event once, by id, as the receiver keeps it. */
  uniqueIds(): Set<string> {
    return new Set(this.deliveries.map((event) => event.id));
  }

  of(objectId: string): ReceivedEvent[] {
    return this.deliveries.filter((event) => event.data.paymentId === objectId || (event.data.reservationId === objectId && !event.data.paymentId));
  }

  private async handle(req: IncomingMessage): Promise<number> {
    this.open += 1;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.open);
    try {
      return await this.answer(req);
    } finally {
      this.open -= 1;
    }
  }

  private async answer(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    this.rawBodies.push(body);
    if (this.delayMs > 0) await new Promise((done) => setTimeout(done, this.delayMs).unref());
    if (this.failNext > 0) {
      this.failNext -= 1;
      return 500;
    }
    let payload: Omit<ReceivedEvent, 'id'>;
    try {
      payload = new Webhook(this.secret).verify(body, req.headers as Record<string, string>) as Omit<ReceivedEvent, 'id'>;
    } catch {
      this.verificationFailures += 1;
      return 400;
    }
    this.deliveries.push({ id: String(req.headers['webhook-id']), ...payload });
    return 204;
  }
}

/** A fresh Standard Webhooks secret (`whsec_` + base64 of 24 random bytes). */
export function newEventSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64')}`;
}

/** Waits until `check` on what the receiver holds returns something truthy. */
export function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  return waitUntil(what, async () => check() || undefined, timeoutMs, 100);
}
