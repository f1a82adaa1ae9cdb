import { round } from './proc-stats';
import type { BenchResults } from './results';
import type { ThroughputLevel } from './scenarios/throughput';

/** A throughput level's rate and what our own processes (worker + API) spent per payment in it. */
export interface OwnCpuLevel {
  concurrency: number;
  paymentsPerSecond: number;
  workerAndApiMs: number;
}

/** A cluster level beside the dev level of the same run whose payment rate is nearest to it. */
export interface MatchedRate {
  run: string;
  cluster: OwnCpuLevel;
  dev: OwnCpuLevel;
  /** Cluster minus dev, worker + API ms per payment. */
  differenceMs: number;
}

/** Rates further apart than this fraction of the cluster's are not compared. */
export const RATE_TOLERANCE = 0.1;

function ownCpu(level: ThroughputLevel): OwnCpuLevel | undefined {
  const { worker, api } = level.cpuMsPerPayment;
  // A level with no payment has no CPU per payment (`cpuMsPerPayment` is empty).
  if (worker === undefined || api === undefined) return undefined;
  return { concurrency: level.concurrency, paymentsPerSecond: level.paymentsPerSecond, workerAndApiMs: round(worker + api) };
}

/**
 * Our processes' CPU per payment falls as the payment rate rises, and the cluster's knee is lower than the dev
 * server's on the same cores (its server and PostgreSQL take more of them). Comparing the two topologies at the same
 * rate, within one run, separates what the topology does to our processes from what the rate does.
 */
export function ownCpuAtMatchedRates(run: string, results: Pick<BenchResults, 'topologies'>): MatchedRate[] {
  const levelsOf = (topology: 'dev' | 'cluster') => (results.topologies[topology]?.throughput?.levels ?? []).flatMap((level) => ownCpu(level) ?? []);
  const devLevels = levelsOf('dev');
  return levelsOf('cluster').flatMap((cluster) => {
    const nearest = devLevels.reduce<OwnCpuLevel | undefined>(
      (best, dev) => (!best || Math.abs(dev.paymentsPerSecond - cluster.paymentsPerSecond) < Math.abs(best.paymentsPerSecond - cluster.paymentsPerSecond) ? dev : best),
      undefined,
    );
    if (!nearest || Math.abs(nearest.paymentsPerSecond - cluster.paymentsPerSecond) > RATE_TOLERANCE * cluster.paymentsPerSecond) return [];
    return [{ run, cluster, dev: nearest, differenceMs: round(cluster.workerAndApiMs - nearest.workerAndApiMs) }];
  });
}

/** Markdown: one row per matched pair. */
export function renderMatchedRates(rows: MatchedRate[]): string[] {
  if (!rows.length) return [];
  const level = (of: OwnCpuLevel) => `${of.concurrency} concurrent, ${of.paymentsPerSecond}/s: ${of.workerAndApiMs}`;
  return [
    '',
    `Worker + API CPU ms per payment at the same payment rate (within ${RATE_TOLERANCE * 100}%) on both topologies:`,
    '',
    '| run | cluster | dev | cluster − dev |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.run} | ${level(row.cluster)} | ${level(row.dev)} | ${row.differenceMs > 0 ? '+' : ''}${row.differenceMs} |`),
  ];
}
