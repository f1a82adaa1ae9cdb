import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite' with { 'resolution-mode': 'import' };
import { TOPOLOGIES, type Topology } from '../infra/temporal-topology';
import type { BenchResults, TopologyResults } from './results';
import type { LatencyVariant } from './scenarios/latency';

type VegaLite = typeof import('vega-lite', { with: { 'resolution-mode': 'import' } });
type Vega = typeof import('vega', { with: { 'resolution-mode': 'import' } });

/** One point of a latency distribution: this share of the variant's payments answered within `ms`. */
interface DistributionPoint {
  topology: Topology;
  variant: string;
  ms: number;
  share: number;
}

/** One throughput level at one percentile. */
interface LevelPoint {
  topology: Topology;
  concurrency: number;
  paymentsPerSecond: number;
  percentile: 'p50' | 'p99';
  ms: number;
}

const WIDTH = 420;
const HEIGHT = 260;

function shown(results: BenchResults): [Topology, TopologyResults][] {
  return TOPOLOGIES.flatMap((topology) => {
    const run = results.topologies[topology];
    return run ? [[topology, run] as [Topology, TopologyResults]] : [];
  });
}

/** The empirical distribution of every sample; results written before samples were kept give their p50/p95/p99. */
function distribution(topology: Topology, variant: LatencyVariant): DistributionPoint[] {
  const samples = variant.samplesMs ?? [];
  if (samples.length) return samples.map((ms, index) => ({ topology, variant: variant.name, ms, share: (index + 1) / samples.length }));
  const { p50, p95, p99 } = variant.latencyMs;
  return [[p50, 0.5], [p95, 0.95], [p99, 0.99]].map(([ms, share]) => ({ topology, variant: variant.name, ms: ms as number, share: share as number }));
}

/** Latency distribution of each way to pay (the floor among them), one panel per topology; undefined without a latency scenario. */
export function latencyChartSpec(results: BenchResults): TopLevelSpec | undefined {
  const values = shown(results).flatMap(([topology, run]) => (run.latency?.variants ?? []).flatMap((variant) => distribution(topology, variant)));
  if (!values.length) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Frictionless payment latency against the floor', subtitle: `${results.options.sandboxLatencyMs} ms per provider call; floor = the two provider calls without Temporal` },
    data: { values },
    facet: { column: { field: 'topology', type: 'nominal', title: 'topology', sort: [...TOPOLOGIES] } },
    spec: {
      width: WIDTH,
      height: HEIGHT,
      // A step per sample; results that kept only p50/p95/p99 get those three points joined.
      mark: { type: 'line', interpolate: values.length < 40 ? 'linear' : 'step-after', point: values.length < 40 },
      encoding: {
        x: { field: 'ms', type: 'quantitative', title: 'request to COMPLETE answer (ms)' },
        y: { field: 'share', type: 'quantitative', title: 'share of payments answered', axis: { format: '%' } },
        color: { field: 'variant', type: 'nominal', title: 'way to pay' },
        order: { field: 'ms', type: 'quantitative' },
      },
    },
  };
}

/** Throughput against latency (p50 and p99) at each closed-loop concurrency level, one line per topology. */
export function throughputChartSpec(results: BenchResults): TopLevelSpec | undefined {
  const runs = shown(results).filter(([, run]) => run.throughput?.levels.length);
  const values: LevelPoint[] = runs.flatMap(([topology, run]) =>
    (run.throughput?.levels ?? []).flatMap((level) =>
      (['p50', 'p99'] as const).map((percentile) => ({ topology, concurrency: level.concurrency, paymentsPerSecond: level.paymentsPerSecond, percentile, ms: level.latencyMs[percentile] })),
    ),
  );
  if (!values.length) return undefined;
  const limit = runs[0]?.[1].throughput?.p99LimitMs;
  const encoding = {
    x: { field: 'paymentsPerSecond', type: 'quantitative', title: 'payments per second (COMPLETE)' },
    y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
    color: { field: 'topology', type: 'nominal', title: 'topology', sort: [...TOPOLOGIES] },
    strokeDash: { field: 'percentile', type: 'nominal', title: 'percentile' },
    order: { field: 'concurrency', type: 'quantitative' },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Throughput against latency', subtitle: 'closed loop, concurrency doubling per level (labels: concurrent clients)' },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      // Points in a layer of their own: on the line itself they would turn the percentile legend's dashes into dots.
      { data: { values }, mark: 'line', encoding },
      { data: { values }, mark: { type: 'point', filled: true }, encoding: { x: encoding.x, y: encoding.y, color: encoding.color } },
      {
        data: { values },
        transform: [{ filter: "datum.percentile === 'p99'" }],
        mark: { type: 'text', dy: -10, fontSize: 10 },
        encoding: { x: encoding.x, y: encoding.y, color: encoding.color, text: { field: 'concurrency', type: 'quantitative' } },
      },
      ...(limit
        ? [
            {
              data: { values: [{ limit, label: `p99 limit ${limit} ms` }] },
              layer: [
                { mark: { type: 'rule', strokeDash: [2, 2], color: 'gray' }, encoding: { y: { field: 'limit', type: 'quantitative' } } },
                { mark: { type: 'text', align: 'left', dx: 4, dy: -6, color: 'gray', x: 0 }, encoding: { y: { field: 'limit', type: 'quantitative' }, text: { field: 'label', type: 'nominal' } } },
              ],
            } as const,
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/**
 * Both packages are ES modules with top-level await, which CommonJS cannot require(): a real import(). The specifier
 * is a parameter because TypeScript's CommonJS resolution cannot see vega-lite's types through its exports map.
 */
const importEsm = (specifier: string): Promise<unknown> => import(specifier);

/** Renders a Vega-Lite spec to SVG in this process (vega's headless renderer: no browser, no canvas). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vegaLite = (await importEsm('vega-lite')) as VegaLite;
  const vega = (await importEsm('vega')) as Vega;
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Writes <base>-latency.svg and <base>-throughput.svg (those the results have data for); returns their paths. */
export async function writeCharts(results: BenchResults, base: string): Promise<string[]> {
  const written: string[] = [];
  for (const [name, spec] of [
    ['latency', latencyChartSpec(results)],
    ['throughput', throughputChartSpec(results)],
  ] as const) {
    if (!spec) continue;
    const path = `${base}-${name}.svg`;
    writeFileSync(path, await renderSvg(spec));
    written.push(path);
  }
  return written;
}
