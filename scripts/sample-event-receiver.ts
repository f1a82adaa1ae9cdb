import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * What a merchant's receiver does (`npm start` runs this one and prints each event): verify the Standard Webhooks
 * signature on the raw body, answer 2xx quickly, and keep per payment only events newer than the last one seen.
 */
export async function startSampleEventReceiver(options: { port: number; secret: string; print: (line: string) => void }): Promise<{ url: string; close(): Promise<void> }> {
  const webhook = new Webhook(options.secret);
  const latestSequence = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let event: { type: string; data: { paymentId?: string; reservationId?: string; status: string; sequence: number } };
      try {
        event = webhook.verify(Buffer.concat(chunks).toString('utf8'), req.headers as Record<string, string>) as typeof event;
      } catch {
        options.print(`rejected a delivery whose signature did not verify`);
        res.writeHead(400).end();
        return;
      }
      const object = event.data.paymentId ?? event.data.reservationId ?? '?';
      const stale = (latestSequence.get(object) ?? 0) >= event.data.sequence;
      if (!stale) latestSequence.set(object, event.data.sequence);
      options.print(`${event.type} ${object} ${event.data.status} (sequence ${event.data.sequence}, id ${String(req.headers['webhook-id'])})${stale ? ' stale, ignored' : ''}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
