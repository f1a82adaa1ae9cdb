import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { latencyChartSpec, throughputChartSpec } from '../../bench/charts';
import type { BenchResults, TopologyResults } from '../../bench/results';

const projectRoot = resolve(__dirname, '..', '..');

const summary = (samplesMs: number[]) => ({ count: samplesMs.length, p50: samplesMs[1] ?? 0, p95: samplesMs[2] ?? 0, p99: samplesMs[2] ?? 0, mean: 0, max: samplesMs.at(-1) ?? 0 });
const variant = (name: string, samplesMs: number[]) => ({ name, description: name, latencyMs: summary(samplesMs), samplesMs, errors: 0 });
const level = (concurrency: number, paymentsPerSecond: number, p50: number, p99: number) => ({ concurrency, paymentsPerSecond, latencyMs: { p50, p99 } });

/** A results file as the bench writes it, with only what the charts read. */
function results(topologies: Partial<Record<'dev' | 'cluster', Partial<TopologyResults>>>): BenchResults {
  return { options: { sandboxLatencyMs: 100 }, topologies } as unknown as BenchResults;
}

const twoTopologies = results({
  dev: {
    latency: { variants: [variant('floor', [205, 210, 230]), variant('earlyReturn', [400, 446, 500])] } as TopologyResults['latency'],
    throughput: { p99LimitMs: 2_000, levels: [level(8, 14.7, 520, 770), level(16, 18.1, 860, 1_355)] } as unknown as TopologyResults['throughput'],
  },
  cluster: {
    latency: { variants: [variant('floor', [206, 211, 229]), variant('earlyReturn', [480, 520, 610])] } as TopologyResults['latency'],
    throughput: { p99LimitMs: 2_000, levels: [level(8, 11.2, 700, 990)] } as unknown as TopologyResults['throughput'],
  },
});

type Values = Record<string, unknown>[];
const dataOf = (spec: unknown): Values => (spec as { data: { values: Values } }).data.values;

describe('bench charts', () => {
  test('the latency distribution has every sample of every way to pay, per topology, reaching all payments', () => {
    const values = dataOf(latencyChartSpec(twoTopologies));
    expect(values.filter((point) => point.topology === 'cluster' && point.variant === 'earlyReturn')).toEqual([
      { topology: 'cluster', variant: 'earlyReturn', ms: 480, share: 1 / 3 },
      { topology: 'cluster', variant: 'earlyReturn', ms: 520, share: 2 / 3 },
      { topology: 'cluster', variant: 'earlyReturn', ms: 610, share: 1 },
    ]);
    expect(values).toHaveLength(12);
  });

  test('the throughput curve has p50 and p99 at each level of each topology', () => {
    const spec = throughputChartSpec(twoTopologies) as unknown as { layer: { data: { values: Values } }[] };
    expect(spec.layer[0]?.data.values).toEqual([
      { topology: 'dev', concurrency: 8, paymentsPerSecond: 14.7, percentile: 'p50', ms: 520 },
      { topology: 'dev', concurrency: 8, paymentsPerSecond: 14.7, percentile: 'p99', ms: 770 },
      { topology: 'dev', concurrency: 16, paymentsPerSecond: 18.1, percentile: 'p50', ms: 860 },
      { topology: 'dev', concurrency: 16, paymentsPerSecond: 18.1, percentile: 'p99', ms: 1_355 },
      { topology: 'cluster', concurrency: 8, paymentsPerSecond: 11.2, percentile: 'p50', ms: 700 },
      { topology: 'cluster', concurrency: 8, paymentsPerSecond: 11.2, percentile: 'p99', ms: 990 },
    ]);
  });

  test('results without a scenario draw no chart for it', () => {
    expect(latencyChartSpec(results({ dev: {} }))).toBeUndefined();
    expect(throughputChartSpec(results({ dev: { latency: twoTopologies.topologies.dev?.latency } }))).toBeUndefined();
  });

  describe('npm run bench -- --charts-from=FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-charts-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const drawFrom = async (name: string, content: BenchResults) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(content));
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(projectRoot, 'bench', 'main.ts'), `--charts-from=${file}`], { cwd: projectRoot });
      return stdout;
    };

    test('writes both SVGs next to the results file, with the topologies, the ways to pay and the p99 limit in them', async () => {
      const stdout = await drawFrom('both', twoTopologies);
      const latency = join(dir, 'both-latency.svg');
      const throughput = join(dir, 'both-throughput.svg');
      expect(stdout).toContain(latency);
      expect(stdout).toContain(throughput);
      const latencySvg = readFileSync(latency, 'utf8');
      expect(latencySvg.startsWith('<svg')).toBe(true);
      for (const text of ['dev', 'cluster', 'floor', 'earlyReturn', 'against the floor']) expect(latencySvg).toContain(text);
      const throughputSvg = readFileSync(throughput, 'utf8');
      for (const text of ['dev', 'cluster', 'p99 limit 2000 ms', 'payments per second']) expect(throughputSvg).toContain(text);
    });

    test('draws only the latency chart for results without a throughput scenario', async () => {
      await drawFrom('latency-only', results({ dev: { latency: twoTopologies.topologies.dev?.latency } }));
      expect(existsSync(join(dir, 'latency-only-latency.svg'))).toBe(true);
      expect(existsSync(join(dir, 'latency-only-throughput.svg'))).toBe(false);
    });
  });
});
