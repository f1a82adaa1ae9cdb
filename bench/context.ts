import type { BenchOptions } from './options';
import type { BenchStack } from './stack';

export interface BenchContext {
  options: BenchOptions;
  /** Starts a fresh system (own dev server and SQLite file) for one scenario; stopped by the scenario. */
  startStack(name: string, workerEnv?: Record<string, string>): Promise<{ stack: BenchStack; startup: StackStartup }>;
  /** The best throughput measured earlier in this run (scenario 3), when there is one: sizes the booking lead time. */
  measuredPaymentsPerSecond?: number;
  log(message: string): void;
}

export interface StackStartup {
  /** Dev server, sandboxes, worker and API, until the API answers /ready. */
  stackMs: number;
  workerReadyMs: number;
}
