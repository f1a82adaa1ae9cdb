import type { PaymentSample } from './drivers';

export interface TimedSample extends PaymentSample {
  /** performance.now() when the request started and finished. */
  startedAt: number;
  finishedAt: number;
}

/**
 * Closed loop: `concurrency` clients, each sending its next request as soon as the previous answered, until
 * stop() (or `durationMs`). Every sample is kept with its start and end time.
 */
export class ClosedLoop {
  readonly samples: TimedSample[] = [];
  private stopped = false;
  private readonly loops: Promise<void>[] = [];
  readonly inFlight = new Set<number>();
  private nextId = 0;

  constructor(
    private readonly concurrency: number,
    private readonly send: (index: number) => Promise<PaymentSample>,
  ) {}

  start(): this {
    for (let client = 0; client < this.concurrency; client += 1) this.loops.push(this.loop());
    return this;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const id = this.nextId++;
      const startedAt = performance.now();
      this.inFlight.add(id);
      const sample = await this.send(id);
      this.inFlight.delete(id);
      this.samples.push({ ...sample, startedAt, finishedAt: performance.now() });
    }
  }

  /** No new requests from now on; resolves when every request in flight has answered. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
