import { TOPOLOGIES, type Topology } from '../infra/temporal-topology';

export const SCENARIOS = ['latency', 'throughput', 'waiting', 'recovery', 'scaleout', 'eventlog'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface BenchOptions {
  scenarios: ScenarioName[];
  /** Each scenario runs once per topology, on a fresh system each time (report: side by side, cluster/dev). */
  topologies: Topology[];
  quick: boolean;
  /** Fixed latency the sandboxes add to every provider call (ms). */
  sandboxLatencyMs: number;
  /** Scenarios 1 and 2: samples per variant, open-loop arrival rate across the three variants, naive poll interval. */
  latencySamples: number;
  latencyWarmup: number;
  latencyRate: number;
  /** Scenario 2: one naive variant per poll interval. */
  pollMs: number[];
  /** Scenario 3: seconds per concurrency level, first level, cap, and the p99 that ends the climb. */
  levelSeconds: number;
  startConcurrency: number;
  maxConcurrency: number;
  p99LimitMs: number;
  /** Scenario 4: reservations asleep at once, booking clients, provider limit (TURNSTAY_CALLS_PER_SECOND). */
  reservations: number;
  bookingConcurrency: number;
  callsPerSecond: number;
  /** Scenario 4: bookings per second expected (0: 1.3 x scenario 3's best rate, else 20 dev / 10 cluster) and the check-in lead (0: from that rate). */
  bookingRate: number;
  waitingLeadSeconds: number;
  /** Scenario 4: stop once all are asleep (booking, memory, storage), no drain: for sizes whose drain does not fit a run. */
  asleepOnly: boolean;
  /** Scenario 5: clients in flight when the worker is killed, and seconds of load before the kill. */
  recoveryConcurrency: number;
  recoveryWarmupSeconds: number;
  /** Scenario 6: worker and API processes (as many of each), and the clients taking turns across the APIs. */
  scaleOutInstances: number;
  scaleOutConcurrency: number;
  /** Extra worker environment for every stack (tuning knobs such as WORKER_MAX_CACHED_WORKFLOWS). */
  workerEnv: Record<string, string>;
  prebuiltBundle: boolean;
  keepData: boolean;
  /** Where to write the JSON; default bench/results/<date>.json (the charts go next to it). */
  out?: string;
  /** Measure nothing: draw the charts of this results file, next to it. */
  chartsFrom?: string;
  /** Measure nothing: compare worker + API CPU at matched payment rates across these results files. */
  matchedRatesFrom?: string[];
  /** Run the worker and the API under `node --cpu-prof` into this folder, and summarize the profiles at the end. */
  cpuProfDir?: string;
}

const DEFAULTS: Omit<BenchOptions, 'scenarios' | 'topologies' | 'quick' | 'workerEnv' | 'prebuiltBundle' | 'keepData' | 'asleepOnly'> = {
  sandboxLatencyMs: 100,
  latencySamples: 150,
  latencyWarmup: 15,
  latencyRate: 6,
  pollMs: [200, 1_000],
  levelSeconds: 60,
  startConcurrency: 8,
  maxConcurrency: 256,
  p99LimitMs: 2_000,
  // Small enough that the default bench, both topologies, fits in about 20 minutes on 2 CPUs.
  reservations: 1_000,
  bookingConcurrency: 48,
  callsPerSecond: 200,
  bookingRate: 0,
  waitingLeadSeconds: 0,
  recoveryConcurrency: 16,
  recoveryWarmupSeconds: 10,
  scaleOutInstances: 2,
  scaleOutConcurrency: 16,
};

const QUICK: Partial<BenchOptions> = {
  latencySamples: 40,
  latencyWarmup: 5,
  levelSeconds: 10,
  startConcurrency: 4,
  maxConcurrency: 16,
  reservations: 300,
  recoveryConcurrency: 8,
  recoveryWarmupSeconds: 5,
  scaleOutConcurrency: 8,
};

export const USAGE = `npm run bench -- [flags]

  --quick                      small sizes for a smoke run (a few minutes)
  --only=a,b                   scenarios to run: ${SCENARIOS.join(', ')} (default: all)
  --topology=a,b|both          Temporal topologies, each scenario on each: ${TOPOLOGIES.join(', ')} (default: both; dev is the CLI
                               dev server on SQLite, cluster the Temporal server on PostgreSQL; the table compares them)
  --sandbox-latency-ms=N       latency the sandboxes add to every provider call (default ${DEFAULTS.sandboxLatencyMs})
  --latency-samples=N          scenarios 1-2: measured samples per variant (default ${DEFAULTS.latencySamples})
  --latency-warmup=N           scenarios 1-2: discarded warm-up samples per variant (default ${DEFAULTS.latencyWarmup})
  --latency-rate=N             scenarios 1-2: requests per second, all variants together, open loop (default ${DEFAULTS.latencyRate})
  --poll-ms=N[,N...]           scenario 2: naive baseline's query poll interval(s), one variant each (default ${DEFAULTS.pollMs.join(',')})
  --level-seconds=N            scenario 3: seconds at each concurrency level (default ${DEFAULTS.levelSeconds})
  --start-concurrency=N        scenario 3: first level; each next level doubles (default ${DEFAULTS.startConcurrency})
  --max-concurrency=N          scenario 3: last level at most (default ${DEFAULTS.maxConcurrency})
  --p99-limit-ms=N             scenario 3: the climb stops once p99 exceeds this (default ${DEFAULTS.p99LimitMs})
  --reservations=N             scenario 4: reservations asleep at once (default ${DEFAULTS.reservations})
  --booking-concurrency=N      scenario 4: concurrent booking requests (default ${DEFAULTS.bookingConcurrency})
  --calls-per-second=N         scenario 4: provider limit, worker TURNSTAY_CALLS_PER_SECOND (default ${DEFAULTS.callsPerSecond})
  --booking-rate=N             scenario 4: expected bookings/s, sizes the check-in lead (default: 1.3 x scenario 3's best rate, else 20 dev, 10 cluster)
  --waiting-lead-seconds=N     scenario 4: check-in this many seconds after booking starts (default: from the booking rate)
  --asleep-only                scenario 4: stop once all are asleep (booking, memory, storage; check-in 30 days out), no drain
  --recovery-concurrency=N     scenario 5: payments in flight when the worker is killed (default ${DEFAULTS.recoveryConcurrency})
  --recovery-warmup-seconds=N  scenario 5: seconds of load before the kill (default ${DEFAULTS.recoveryWarmupSeconds})
  --scale-out-instances=N      scenario 6: worker processes and API processes, N of each (default ${DEFAULTS.scaleOutInstances})
  --scale-out-concurrency=N    scenario 6: clients, taking turns across the APIs, for --level-seconds (default ${DEFAULTS.scaleOutConcurrency})
  --worker-env=KEY=VALUE       extra worker environment, repeatable (e.g. WORKER_MAX_CACHED_WORKFLOWS=500)
  --no-prebuilt-bundle         let each worker start bundle its workflows (default: bundle once, WORKFLOW_BUNDLE_PATH)
  --keep-data                  keep the servers' data (SQLite files, PostgreSQL data) and the process logs (.data/bench/<run>/)
  --out=FILE                   JSON results file (default bench/results/<date>.json); the charts are written next to it,
                               FILE without .json + -latency.svg and -throughput.svg
  --charts-from=FILE           measure nothing: (re)draw the charts of an existing results JSON, next to it
  --matched-rates-from=FILE,…  measure nothing: worker + API CPU per payment, cluster against dev at the same payment
                               rate, from existing results JSONs (table; the JSON too with --out=FILE)
  --cpu-prof-dir=DIR           run the worker and the API under node --cpu-prof (one folder per process under DIR); the
                               report and the JSON then give each process's hottest packages and functions (profiling
                               adds CPU of its own: compare CPU figures only between runs that both profile or neither)
`;

const NUMERIC: Record<string, keyof typeof DEFAULTS> = {
  'sandbox-latency-ms': 'sandboxLatencyMs',
  'latency-samples': 'latencySamples',
  'latency-warmup': 'latencyWarmup',
  'latency-rate': 'latencyRate',
  'level-seconds': 'levelSeconds',
  'start-concurrency': 'startConcurrency',
  'max-concurrency': 'maxConcurrency',
  'p99-limit-ms': 'p99LimitMs',
  reservations: 'reservations',
  'booking-concurrency': 'bookingConcurrency',
  'calls-per-second': 'callsPerSecond',
  'booking-rate': 'bookingRate',
  'waiting-lead-seconds': 'waitingLeadSeconds',
  'recovery-concurrency': 'recoveryConcurrency',
  'recovery-warmup-seconds': 'recoveryWarmupSeconds',
  'scale-out-instances': 'scaleOutInstances',
  'scale-out-concurrency': 'scaleOutConcurrency',
};

export class UsageError extends Error {}

/** The entries of `known` named in a comma-separated flag value, in `known`'s order. */
function pickFrom<T extends string>(known: readonly T[], value: string, flag: string): T[] {
  const wanted = value.split(',').map((part) => part.trim());
  const unknown = wanted.filter((part) => !known.includes(part as T));
  if (unknown.length) throw new UsageError(`${flag}: unknown ${unknown.join(', ')} (known: ${known.join(', ')})`);
  return known.filter((entry) => wanted.includes(entry));
}

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const options: BenchOptions = {
    ...DEFAULTS,
    ...(quick ? QUICK : {}),
    scenarios: [...SCENARIOS],
    topologies: [...TOPOLOGIES],
    quick,
    workerEnv: {},
    prebuiltBundle: true,
    keepData: false,
    asleepOnly: false,
  };
  for (const arg of argv) {
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    if (!match) throw new UsageError(`unknown argument ${arg}`);
    const [, name = '', value] = match;
    if (name === 'quick') continue;
    if (name === 'help') throw new UsageError('');
    if (name === 'no-prebuilt-bundle') options.prebuiltBundle = false;
    else if (name === 'keep-data') options.keepData = true;
    else if (name === 'asleep-only') options.asleepOnly = true;
    else if (name === 'out' && value) options.out = value;
    else if (name === 'charts-from' && value) options.chartsFrom = value;
    else if (name === 'matched-rates-from' && value) options.matchedRatesFrom = value.split(',').filter(Boolean);
    else if (name === 'cpu-prof-dir' && value) options.cpuProfDir = value;
    else if (name === 'poll-ms' && value) {
      options.pollMs = value.split(',').map(Number);
      if (options.pollMs.some((ms) => !Number.isFinite(ms) || ms <= 0)) throw new UsageError('--poll-ms takes positive numbers, e.g. 200,1000');
    }
    else if (name === 'only' && value) options.scenarios = pickFrom(SCENARIOS, value, '--only');
    else if (name === 'topology' && value) options.topologies = value === 'both' ? [...TOPOLOGIES] : pickFrom(TOPOLOGIES, value, '--topology');
    else if (name === 'worker-env' && value) {
      const eq = value.indexOf('=');
      if (eq <= 0) throw new UsageError(`--worker-env needs KEY=VALUE, got ${value}`);
      options.workerEnv[value.slice(0, eq)] = value.slice(eq + 1);
    } else if (name in NUMERIC && value !== undefined) {
      const number = Number(value);
      if (!Number.isFinite(number) || number < 0) throw new UsageError(`--${name} must be a non-negative number`);
      (options as unknown as Record<string, number>)[NUMERIC[name] as string] = number;
    } else {
      throw new UsageError(`unknown or incomplete flag --${name}`);
    }
  }
  return options;
}
