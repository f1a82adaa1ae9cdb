import { z } from 'zod';
import { jsonText, parseEnv } from './env-config';
import type { Topology } from './temporal-topology';

/** One dynamic-config value the server reads at start (no constraints: it applies to every namespace and queue). */
export type DynamicConfig = Record<string, unknown>;

const tuningEnv = z.object({
  // Experiment knob (bench A/B): partitions per task queue, read and write alike; the server's default is 4.
  TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: z.coerce.number().int().min(1).max(64).optional(),
  // Experiment knob (bench A/B): further settings as a JSON object of key to value, applied last; unset or empty: none.
  TEMPORAL_SERVER_DYNAMIC_CONFIG: z
    .string()
    .optional()
    .transform((text) => text || '{}')
    .pipe(jsonText('{"history.cacheTTL":"10m"}'))
    .pipe(z.record(z.string(), z.unknown())),
});

/**
 * What each topology's server starts with beyond the server's defaults. The CLI's dev server re-reads the search
 * attributes' definitions (and a namespace) from the store on every read of them, a convenience for developers who add
 * search attributes as they go: ~37 SQLite queries per payment, whose workflows write ~8. Ours are registered as the
 * store is created, so the dev server caches them as the cluster does ("The dev server's own settings" in the
 * benchmark log).
 */
const TOPOLOGY_SETTINGS: Record<Topology, DynamicConfig> = {
  dev: { 'system.forceSearchAttributesCacheRefreshOnRead': false },
  // Operators and our tests list payments by search attribute: the default of 10 visibility requests/s throttles them.
  cluster: { 'frontend.namespaceRPS.visibility': 100 },
};

/** What the topology's server is started with: its settings, then the environment's experiment knobs. */
export function serverDynamicConfig(topology: Topology, env: NodeJS.ProcessEnv = process.env): DynamicConfig {
  return { ...TOPOLOGY_SETTINGS[topology], ...experimentDynamicConfig(env) };
}

/** The experiment knobs set in the environment (empty: none). */
export function experimentDynamicConfig(env: NodeJS.ProcessEnv = process.env): DynamicConfig {
  const { TEMPORAL_SERVER_TASK_QUEUE_PARTITIONS: partitions, TEMPORAL_SERVER_DYNAMIC_CONFIG: extra } = parseEnv(tuningEnv, env);
  return {
    ...(partitions === undefined ? {} : { 'matching.numTaskqueueReadPartitions': partitions, 'matching.numTaskqueueWritePartitions': partitions }),
    ...extra,
  };
}

/** As the dev server's `--dynamic-config-value KEY=JSON` flags. */
export function devServerFlags(config: DynamicConfig): string[] {
  return Object.entries(config).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]);
}

/** As the server's dynamic-config file (JSON is valid YAML). */
export function dynamicConfigFileText(config: DynamicConfig): string {
  return JSON.stringify(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, [{ value }]])), null, 2);
}
