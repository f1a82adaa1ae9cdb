/**
 * `npm run bench`: runs each scenario on each Temporal topology (the dev server on SQLite, the cluster on
 * PostgreSQL), each time on a fresh system of its own (Temporal, worker, API, sandboxes), prints the topologies
 * side by side as a Markdown table and writes bench/results/<date>.json. Not a test: it measures.
 * Charts (SVG) of the latency distribution and the throughput curve go next to the JSON; `--charts-from=FILE`
 * redraws them from an existing results file. `npm run bench -- --help` lists the flags; `--quick` is a smoke run.
 */
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { PersistedStore, Topology } from '../infra/temporal-topology';
import { writeCharts } from './charts';
import type { BenchContext } from './context';
import { renderCpuProfiles, summarizeCpuProfiles } from './cpu-profiles';
import { machineInfo } from './machine';
import { ownCpuAtMatchedRates, RATE_TOLERANCE, renderMatchedRates } from './matched-rates';
import { experimentDynamicConfig, serverDynamicConfig } from '../infra/temporal-dynamic-config';
import { parseOptions, UsageError, USAGE, type BenchOptions } from './options';
import { round } from './proc-stats';
import { renderReport } from './report';
import type { BenchResults, TopologyResults } from './results';
import { runEventLog } from './scenarios/event-log';
import { runLatency } from './scenarios/latency';
import { runRecovery } from './scenarios/recovery';
import { runScaleOut } from './scenarios/scale-out';
import { runThroughput } from './scenarios/throughput';
import { runWaiting } from './scenarios/waiting';
import { BenchStack } from './stack';
import { buildWorkflowBundle } from './workflow-bundle';

const projectRoot = resolve(__dirname, '..');
const runStarted = performance.now();

function log(message: string): void {
  const seconds = ((performance.now() - runStarted) / 1_000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`${error.message}\n\n`);
    process.stderr.write(USAGE);
    process.exit(error.message ? 2 : 0);
  }
  if (options.chartsFrom) {
    const from = resolve(options.chartsFrom);
    if (!existsSync(from)) {
      process.stderr.write(`--charts-from: no such file ${from}\n`);
      process.exit(2);
    }
    const charts = await writeCharts(readResults(from), chartBase(from));
    process.stdout.write(charts.length ? `Charts:\n${charts.map((path) => `  ${path}`).join('\n')}\n` : `No latency or throughput figures in ${from}: no charts\n`);
    return;
  }
  if (options.matchedRatesFrom) {
    const missing = options.matchedRatesFrom.filter((file) => !existsSync(file));
    if (missing.length) {
      process.stderr.write(`--matched-rates-from: no such file ${missing.join(', ')}\n`);
      process.exit(2);
    }
    const rows = options.matchedRatesFrom.flatMap((file) => ownCpuAtMatchedRates(relative(projectRoot, resolve(file)), readResults(resolve(file))));
    process.stdout.write(rows.length ? `${renderMatchedRates(rows).join('\n')}\n` : 'No run has both topologies at a matching payment rate\n');
    if (options.out) writeFileSync(options.out, `${JSON.stringify({ command: ['npm run bench --', ...process.argv.slice(2)].join(' '), tolerance: RATE_TOLERANCE, rows }, null, 2)}\n`);
    return;
  }
  // The naive baseline's card-vault worker runs in this process: its SDK logs errors only.
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  // The embedded sandboxes' webhook retries share one AbortSignal; dozens in flight are expected here, not a leak.
  setMaxListeners(1_000);
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/:/g, '-').replace(/\..+$/, '');
  const runDir = join(projectRoot, '.data', 'bench', stamp);
  mkdirSync(runDir, { recursive: true });
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    machine: machineInfo(),
    options,
    serverDynamicConfig: experimentDynamicConfig(),
    topologies: {},
  };
  log(`machine: ${results.machine.nproc} CPUs, ${results.machine.cpuModel}, load average ${results.machine.loadAverageAtStart}, calibration ${results.machine.cpuCalibrationMs.bestMs} ms (median ${results.machine.cpuCalibrationMs.medianMs})`);
  if (Object.keys(results.serverDynamicConfig ?? {}).length > 0) log(`server dynamic config from the environment: ${JSON.stringify(results.serverDynamicConfig)}`);

  const active = new Set<BenchStack>();
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping...`);
      void Promise.allSettled([...active].map((stack) => stack.stop())).then(() => process.exit(130));
    });
  }

  let bundlePath: string | undefined;
  if (options.prebuiltBundle) {
    const bundle = await buildWorkflowBundle(runDir);
    bundlePath = bundle.path;
    results.workflowBundleMs = round(bundle.ms, 0);
    log(`workflow bundle built in ${results.workflowBundleMs} ms`);
  }

  const contextFor = (topology: Topology, topologyResults: TopologyResults): BenchContext => ({
    options,
    topology,
    log,
    async startStack(name, workerEnv = {}) {
      const started = performance.now();
      const stack = await BenchStack.start({
        topology,
        dir: join(runDir, `${topology}-${name}`),
        sandboxLatencyMs: options.sandboxLatencyMs,
        workerEnv: { ...(bundlePath ? { WORKFLOW_BUNDLE_PATH: bundlePath } : {}), ...options.workerEnv, ...workerEnv },
        ...(options.cpuProfDir ? { cpuProfileRoot: resolve(options.cpuProfDir) } : {}),
        log,
      });
      active.add(stack);
      const originalStop = stack.stop.bind(stack);
      stack.stop = async () => {
        active.delete(stack);
        await originalStop();
        if (!options.keepData) removeStoreOutside(runDir, stack.temporal.store);
      };
      const startup = { stackMs: round(performance.now() - started, 0), workerReadyMs: round(stack.initialWorkerReadyMs, 0) };
      topologyResults.startups[name as keyof TopologyResults['startups']] = startup;
      log(`${topology} ${name}: system started in ${startup.stackMs} ms (worker ready ${startup.workerReadyMs} ms after its spawn)`);
      return { stack, startup };
    },
  });

  const scenarios: Record<(typeof options.scenarios)[number], (ctx: BenchContext, into: TopologyResults) => Promise<void>> = {
    latency: async (ctx, into) => {
      into.latency = await runLatency(ctx);
    },
    throughput: async (ctx, into) => {
      into.throughput = await runThroughput(ctx);
      ctx.measuredPaymentsPerSecond = Math.max(0, ...into.throughput.levels.map((level) => level.paymentsPerSecond)) || undefined;
    },
    waiting: async (ctx, into) => {
      into.waiting = await runWaiting(ctx);
    },
    recovery: async (ctx, into) => {
      into.recovery = await runRecovery(ctx, bundlePath);
    },
    scaleout: async (ctx, into) => {
      into.scaleOut = await runScaleOut(ctx);
    },
    eventlog: async (ctx, into) => {
      into.eventLog = await runEventLog(ctx);
    },
  };
  const contexts = options.topologies.map((topology) => {
    const into: TopologyResults = { serverDynamicConfig: serverDynamicConfig(topology), startups: {}, failures: {} };
    results.topologies[topology] = into;
    return { ctx: contextFor(topology, into), into };
  });
  // Scenario by scenario, each topology in turn: the two runs of a scenario see the machine at about the same time.
  for (const name of options.scenarios) {
    for (const { ctx, into } of contexts) {
      if (stopping) break;
      log(`--- ${name} on ${ctx.topology} ---`);
      try {
        await scenarios[name](ctx, into);
      } catch (error) {
        into.failures[name] = error instanceof Error ? error.message : String(error);
        log(`${ctx.topology} ${name} failed: ${into.failures[name]}`);
      }
    }
  }

  results.finishedAt = new Date().toISOString();
  // Each process wrote its profile as it exited (every stack is stopped by now).
  if (options.cpuProfDir) results.cpuProfiles = summarizeCpuProfiles(resolve(options.cpuProfDir));
  results.wallSeconds = round((performance.now() - runStarted) / 1_000, 0);
  const out = options.out ? resolve(options.out) : join(projectRoot, 'bench', 'results', `${stamp}.json`);
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  if (!options.keepData) rmSync(runDir, { recursive: true, force: true });
  // The figures are safe in the JSON already: a chart that fails to draw is reported, and can be redrawn with --charts-from.
  const charts = await writeCharts(results, chartBase(out)).catch((error: unknown) => {
    log(`charts failed: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  });
  process.stdout.write(
    `\n${renderReport(results)}\n${results.cpuProfiles ? `\n${renderCpuProfiles(results.cpuProfiles)}\n` : ''}\nResults: ${out}${charts.map((path) => `\nChart: ${path}`).join('')}${options.keepData ? `\nData and logs: ${runDir}` : ''}\n`,
  );
  const failed = Object.values(results.topologies).some((topology) => Object.keys(topology.failures).length > 0);
  process.exit(failed ? 1 : 0);
}

/** The charts of results file X.json are X-latency.svg and X-throughput.svg. */
const chartBase = (resultsFile: string) => resultsFile.replace(/\.json$/, '');

/** A results file; those written before the bench ran both topologies held one dev-server run at the top level. */
function readResults(file: string): BenchResults {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as BenchResults & TopologyResults;
  return parsed.topologies ? parsed : { ...parsed, topologies: { dev: parsed } };
}

/** PostgreSQL data lands in /tmp when the postgres user cannot reach the run folder (postgres-instance.ts). */
function removeStoreOutside(runDir: string, store: PersistedStore): void {
  if (store.kind === 'postgres' && relative(runDir, store.dataDir).startsWith('..')) rmSync(store.dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
