import { z } from 'zod';
import { parseEnv } from './env-config';

/** One dynamic-config value the server reads at start (no constraints: it applies to every namespace and queue). */
export type DynamicConfig = Record<string, unknown>;

const tuningEnv = z.object({
  // Experiment knob (bench A/B): partitions per task queue, read and write alike; the server's default is 4.
  TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: z.coerce.number().int().min(1).max(64).optional(),
});

/** What both topologies' servers are started with, beyond their defaults. */
export function serverDynamicConfig(env: NodeJS.ProcessEnv = process.env): DynamicConfig {
  const { TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: partitions } = parseEnv(tuningEnv, env);
  return partitions === undefined ? {} : { 'matching.numTaskqueueReadPartitions': partitions, 'matching.numTaskqueueWritePartitions': partitions };
}

/** As the dev server's `--dynamic-config-value KEY=JSON` flags. */
export function devServerFlags(config: DynamicConfig): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}

/** As the server's dynamic-config file (JSON is valid YAML). */
export function dynamicConfigFileText(config: DynamicConfig): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, [{ value }]])), null, 2);
}
