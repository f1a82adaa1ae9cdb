import type { Topology } from '../infra/temporal-topology';
import type { StackStartup } from './context';
import type { CpuProfileSummary } from './cpu-profiles';
import type { MachineInfo } from './machine';
import type { BenchOptions, ScenarioName } from './options';
import type { EventLogResult } from './scenarios/event-log';
import type { LatencyResult } from './scenarios/latency';
import type { RecoveryResult } from './scenarios/recovery';
import type { ScaleOutResult } from './scenarios/scale-out';
import type { ThroughputResult } from './scenarios/throughput';
import type { WaitingResult } from './scenarios/waiting';
import type { DynamicConfig } from '../infra/temporal-dynamic-config';

/** One topology's figures: each scenario ran on a system of its own. */
export interface TopologyResults {
  /** Dynamic config this topology's server started with beyond the server's defaults (absent before 2026-12-06T04). */
  serverDynamicConfig?: DynamicConfig;
  startups: Partial<Record<ScenarioName, StackStartup>>;
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  waiting?: WaitingResult;
  recovery?: RecoveryResult;
  scaleOut?: ScaleOutResult;
  eventLog?: EventLogResult;
  failures: Partial<Record<ScenarioName, string>>;
}

/** bench/results/<date>.json. */
export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  command: string;
  machine: MachineInfo;
  options: BenchOptions;
  /** Dynamic config from the environment's experiment knobs, for both topologies (empty: none); each topology's own is in its results. */
  serverDynamicConfig?: DynamicConfig;
  workflowBundleMs?: number;
  topologies: Partial<Record<Topology, TopologyResults>>;
  /** With --cpu-prof-dir: each profiled process's hottest packages and functions (the CPU figures include profiling). */
  cpuProfiles?: CpuProfileSummary[];
}
