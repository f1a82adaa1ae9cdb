import type { Topology } from '../infra/temporal-topology';
import type { BenchOptions } from './options';
import type { BenchStack } from './stack';

/** What a scenario gets to run on one topology. */
export interface BenchContext {
  options: BenchOptions;
  topology: Topology;
  /** Starts a fresh system (own Temporal server and storage) for one scenario; stopped by the scenario. */
  startStack(name: string, workerEnv?: Record<string, string>): Promise<{ stack: BenchStack; startup: StackStartup }>;
  /** The best throughput measured earlier in this run on this topology (scenario 3), when there is one: sizes the booking lead time. */
  measuredPaymentsPerSecond?: number;
  log(message: string): void;
}

export interface StackStartup {
  /** Temporal server, sandboxes, worker and API, until the API answers /ready. */
  stackMs: number;
  workerReadyMs: number;
}
