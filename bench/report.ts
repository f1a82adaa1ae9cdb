import { TOPOLOGIES } from '../infra/temporal-topology';
import { describeCharges } from './charge-counts';
import { ownCpuAtMatchedRates, renderMatchedRates } from './matched-rates';
import { ROLES, round, type ProcessUsage, type Role } from './proc-stats';
import type { BenchResults, TopologyResults } from './results';
import { describeActivities } from './sampled-server-work';
import { describeStoreOperations, type StoreOperationsPerUnit } from './server-store-operations';
import { renderScalingModel, scalingModel, type ScalingModel } from './scaling-model';
import { describeSlowest, type SlowestPayments } from './slowest-payments';
import type { ThroughputResult } from './scenarios/throughput';
import { describeThreadCpu, type ThreadCpu } from './thread-cpu';
import type { LatencySummary } from './stats';

const fmt = (value: number | undefined) =>
  value !== undefined && Number.isFinite(value) ? (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-GB') : String(value)) : 'n/a';
const ms = (summary: LatencySummary) => `${fmt(summary.p50)} / ${fmt(summary.p95)} / ${fmt(summary.p99)} ms`;
const times = (ratio: { p50: number; p95: number; p99: number }) => `×${ratio.p50} / ×${ratio.p95} / ×${ratio.p99}`;

const ROLE_LABELS: Record<Role, string> = {
  server: 'Temporal server',
  postgres: 'PostgreSQL (all its processes)',
  ui: 'Web UI server',
  worker: 'worker',
  api: 'API',
  bench: 'sandboxes + load (bench process)',
};

/** One line of the side-by-side table: a cell per topology, and the figures the cluster / dev column divides. */
interface Row {
  scenario: string;
  measured: string;
  cell(results: TopologyResults): string | undefined;
  compared?(results: TopologyResults): number[] | undefined;
}

/** The short summary (README) and the detail tables, as Markdown; one column per topology, then cluster / dev. */
export function renderReport(results: BenchResults): string {
  const shown = TOPOLOGIES.filter((topology) => results.topologies[topology]);
  const runs = shown.map((topology) => results.topologies[topology] as TopologyResults);
  const dev = results.topologies.dev;
  const cluster = results.topologies.cluster;
  const lines = header(results);
  lines.push('');
  lines.push(`| Scenario | Measured | ${shown.join(' | ')} |${dev && cluster ? ' cluster / dev |' : ''}`);
  lines.push(`|---|---|${shown.map(() => '---|').join('')}${dev && cluster ? '---|' : ''}`);
  const rows = [...latencyRows(runs), ...transitionRows(runs), ...throughputRows(runs), ...waitingRows(runs), ...recoveryRows(runs), ...scaleOutRows(runs), ...eventLogRows(runs), ...failureRows(runs)];
  for (const row of rows) {
    const cells = runs.map((run) => row.cell(run) ?? '—');
    const ratio = dev && cluster && row.compared ? ratios(row.compared(cluster), row.compared(dev)) : '';
    lines.push(`| ${row.scenario} | ${row.measured} | ${cells.join(' | ')} |${dev && cluster ? ` ${ratio} |` : ''}`);
  }
  shown.forEach((topology, index) => lines.push(...throughputLevels(topology, runs[index]?.throughput)));
  lines.push(...renderMatchedRates(ownCpuAtMatchedRates('this run', results)));
  lines.push(...anatomy(results));
  lines.push(...renderScalingModel(shown.flatMap((topology, index) => {
    const model = scalingModel(runs[index] as TopologyResults);
    return model ? [[topology, model] as [string, ScalingModel]] : [];
  })));
  return lines.join('\n');
}

function header(results: BenchResults): string[] {
  const m = results.machine;
  return [
    `Command: \`${results.command}\``,
    `Machine: ${m.hostname ? `${m.hostname} (Linux ${m.kernel}), ` : ''}${m.nproc} CPUs (${m.cpuModel}), ${/^Mem:\s+(\d+)/m.exec(m.freeG)?.[1] ?? '?'} GiB RAM (free -g), Node ${m.node}, load average ${m.loadAverageAtStart} at start; commit ${m.gitCommit}`,
    `Wall time: ${results.wallSeconds ?? '?'} s; sandbox latency ${results.options.sandboxLatencyMs} ms per provider call; ${results.options.prebuiltBundle ? 'prebuilt workflow bundle' : 'workers bundle at start'}${Object.keys(results.options.workerEnv).length ? `; worker env ${JSON.stringify(results.options.workerEnv)}` : ''}`,
    `Topologies: dev = CLI dev server (${m.temporalCli}; SQLite, WAL, synchronous=OFF, 1 shard); cluster = Temporal server (${m.temporalServer}) on ${m.postgres} (fsync on, 4 shards, SQL visibility, Web UI server). Each scenario ran on a fresh system per topology.`,
  ];
}

/** "×a / ×b" of cluster / dev, figure by figure. */
function ratios(cluster: number[] | undefined, dev: number[] | undefined): string {
  if (!cluster || !dev || cluster.length !== dev.length) return '';
  return cluster.map((value, index) => {
    const base = dev[index] as number;
    return Number.isFinite(value) && Number.isFinite(base) && base !== 0 ? `×${round(value / base, 2)}` : 'n/a';
  }).join(' / ');
}

function latencyRows(runs: TopologyResults[]): Row[] {
  const first = runs.find((run) => run.latency)?.latency;
  if (!first) return [];
  const firstNaive = first.variants.find((variant) => variant.name.startsWith('naivePoll'));
  return first.variants.map((shape) => {
    const variant = (run: TopologyResults) => run.latency?.variants.find((entry) => entry.name === shape.name);
    return {
      scenario:
        shape.name === 'floor'
          ? `1. Frictionless payment latency, TurnStay (${first.samplesPerVariant} of each, ${first.arrivalRatePerSecond}/s open loop, interleaved)`
          : shape === firstNaive
            ? '2. Naive baseline (start, then poll)'
            : '',
      measured: `${shape.description}: p50 / p95 / p99`,
      cell: (run) => {
        const found = variant(run);
        if (!found) return undefined;
        const relative = found.name === 'floor' ? '' : found.name === 'earlyReturn' ? ` (${times(found.toFloor)} of the floor)` : ` (${times(found.toFloor)} of the floor, ${times(found.toEarlyReturn)} of early return)`;
        return `${ms(found.latencyMs)}${relative}${found.errors ? `, ${found.errors} errors` : ''}`;
      },
      compared: (run) => {
        const found = variant(run)?.latencyMs;
        return found && [found.p50, found.p95, found.p99];
      },
    };
  });
}

/** Server work per frictionless payment (POST /v1/payments), from the histories the latency scenario fetched. */
function transitionRows(runs: TopologyResults[]): Row[] {
  const counts = (run: TopologyResults) => run.latency?.historyCounts.earlyReturn;
  if (!runs.some(counts)) return [];
  const mean = (run: TopologyResults, key: string) => counts(run)?.[key]?.mean;
  return [
    {
      scenario: '',
      measured: 'server work per payment (mean): state transitions, from the history / as the server counts them',
      cell: (run) => {
        if (!counts(run)) return undefined;
        const parts = ['history events', 'workflow tasks', 'activity tasks', 'signals', 'updates', 'search-attribute upserts', 'timers started', 'markers']
          .filter((key) => mean(run, key) !== undefined)
          .map((key) => `${fmt(mean(run, key))} ${key}`);
        return `**${fmt(mean(run, 'state transitions'))}** / ${fmt(mean(run, 'state transitions (server count)'))} (${parts.join(', ')})`;
      },
      compared: (run) => {
        const value = mean(run, 'state transitions');
        return value === undefined ? undefined : [value];
      },
    },
  ];
}

const best = (throughput: ThroughputResult) => [...throughput.levels].sort((a, b) => b.paymentsPerSecond - a.paymentsPerSecond)[0];
/** CPU per payment is read at the knee; without a knee, at the best level. */
const cpuLevel = (throughput: ThroughputResult | undefined) => (throughput ? (throughput.knee ?? best(throughput)) : undefined);

function throughputRows(runs: TopologyResults[]): Row[] {
  const first = runs.find((run) => run.throughput)?.throughput;
  if (!first) return [];
  const presentRoles = ROLES.filter((role) => runs.some((run) => cpuLevel(run.throughput)?.cpuMsPerPayment[role] !== undefined));
  const cpuRow = (key: Role | 'total', measured: string): Row => ({
    scenario: '',
    measured,
    cell: (run) => {
      const level = cpuLevel(run.throughput);
      const value = level?.cpuMsPerPayment[key];
      return value === undefined || !level ? undefined : `${key === 'total' ? `**${fmt(value)}**` : fmt(value)} (at ${level.concurrency} concurrent)`;
    },
    compared: (run) => {
      const value = cpuLevel(run.throughput)?.cpuMsPerPayment[key];
      return value === undefined ? undefined : [value];
    },
  });
  return [
    {
      scenario: `3. Throughput (${first.levelSeconds} s per level, doubling)`,
      measured: `knee: last level with p99 ≤ ${first.p99LimitMs} ms`,
      cell: (run) => {
        const knee = run.throughput?.knee;
        if (!run.throughput) return undefined;
        return knee ? `${knee.concurrency} concurrent: **${knee.paymentsPerSecond} payments/s**, p99 ${fmt(knee.latencyMs.p99)} ms` : `none within p99 ≤ ${run.throughput.p99LimitMs} ms`;
      },
      compared: (run) => (run.throughput?.knee ? [run.throughput.knee.paymentsPerSecond] : undefined),
    },
    {
      scenario: '',
      measured: 'best level (why the climb stopped)',
      cell: (run) => {
        const level = run.throughput && best(run.throughput);
        return level && `${level.concurrency} concurrent: ${level.paymentsPerSecond}/s, p99 ${fmt(level.latencyMs.p99)} ms (${run.throughput?.stoppedBecause})`;
      },
      compared: (run) => {
        const level = run.throughput && best(run.throughput);
        return level && [level.paymentsPerSecond];
      },
    },
    ...presentRoles.map((role) => cpuRow(role, `CPU ms per payment: ${ROLE_LABELS[role]}`)),
    cpuRow('total', 'CPU ms per payment: all processes'),
    {
      scenario: '',
      measured: 'at the knee, sampled histories: state transitions per payment (mean); activities per payment',
      cell: (run) => {
        const work = run.throughput?.knee?.serverWork;
        return work && `${fmt(work.perPayment['state transitions']?.mean)}; ${describeActivities(work)}`;
      },
      compared: (run) => {
        const mean = run.throughput?.knee?.serverWork?.perPayment['state transitions']?.mean;
        return mean === undefined ? undefined : [mean];
      },
    },
    storeOperationsRow('at the knee: the server\'s store operations per payment (its own count)', (run) => run.throughput?.knee?.storeOperationsPerPayment),
  ];
}

/** The server's store operations per unit, with the largest three: the same row shape in every scenario. */
function storeOperationsRow(measured: string, of: (run: TopologyResults) => StoreOperationsPerUnit | undefined): Row {
  return {
    scenario: '',
    measured,
    cell: (run) => {
      const operations = of(run);
      return operations && describeStoreOperations(operations);
    },
    compared: (run) => {
      const operations = of(run);
      return operations && [operations.total];
    },
  };
}

function waitingRows(runs: TopologyResults[]): Row[] {
  const first = runs.find((run) => run.waiting)?.waiting;
  if (!first) return [];
  const presentRoles = ROLES.filter((role) => role !== 'bench' && runs.some((run) => run.waiting?.asleep.memoryMiB[role] !== undefined));
  return [
    {
      scenario: `4. Waiting scale: ${first.reservations.toLocaleString('en-GB')} reservations asleep at once`,
      measured: `booking (${first.booking.concurrency} at a time)`,
      cell: (run) => {
        const w = run.waiting;
        if (!w) return undefined;
        const together = w.charging ? `all asleep together for ${w.asleepTogetherSeconds} s` : 'check-in 30 days out (--asleep-only)';
        return `${w.booking.perSecond}/s, p99 ${fmt(w.booking.latencyMs.p99)} ms, ${w.booking.errors} errors; ${together}`;
      },
      compared: (run) => run.waiting && [run.waiting.booking.perSecond],
    },
    ...presentRoles.map(
      (role): Row => ({
        scenario: '',
        measured: `memory while asleep: ${ROLE_LABELS[role]} (${role === 'postgres' ? 'PSS' : 'RSS'}, MiB)`,
        cell: (run) => {
          const value = run.waiting?.asleep.memoryMiB[role];
          // Before the first booking, where measured (results from before 2026-12-02 have no idle figure).
          const idle = run.waiting?.idleMemoryMiB?.[role];
          return value === undefined ? undefined : `${fmt(value)}${idle === undefined ? '' : ` (${fmt(idle)} before booking)`}`;
        },
        compared: (run) => {
          const value = run.waiting?.asleep.memoryMiB[role];
          return value === undefined ? undefined : [value];
        },
      }),
    ),
    {
      scenario: '',
      measured: 'worker RSS (MiB) as the bookings grew',
      cell: (run) => {
        const series = run.waiting?.booking.memoryByBooked;
        return series?.length ? series.map((point) => `${point.booked.toLocaleString('en-GB')}: ${fmt(point.memoryMiB.worker)}`).join(', ') : undefined;
      },
    },
    {
      scenario: '',
      measured: 'storage while asleep: MiB, KiB per reservation',
      cell: (run) => {
        const asleep = run.waiting?.asleep;
        if (!asleep) return undefined;
        const parts = Object.entries(asleep.storagePartsMiB).map(([part, mib]) => `${part} ${mib}`).join(' + ');
        return `${asleep.storageMiB} MiB (${parts}), ${(asleep.bytesPerReservation / 1024).toFixed(1)} KiB each`;
      },
      compared: (run) => run.waiting && [run.waiting.asleep.storageMiB, run.waiting.asleep.bytesPerReservation],
    },
    {
      scenario: '',
      measured: 'drain: all due at once, last charged after; charges/s',
      cell: (run) => {
        const w = run.waiting;
        if (!w) return undefined;
        const c = w.charging;
        if (!c) return 'not run (--asleep-only)';
        return `**${c.lastChargeSeconds} s**, ${c.chargesPerSecond}/s (peak ${c.peakProviderCallsPerSecond} provider calls/s of ${w.callsPerSecondLimit} allowed), ${describeCharges(c, w.reservations)}; worker RSS max ${c.workerRssMaxMiB} MiB`;
      },
      compared: (run) => run.waiting?.charging && [run.waiting.charging.lastChargeSeconds, run.waiting.charging.chargesPerSecond],
    },
    {
      scenario: '',
      measured: 'state transitions (mean, from sampled histories): reservation + its charge',
      cell: (run) => {
        const work = run.waiting?.charging?.serverWork;
        return work && `${fmt(work.reservation['state transitions']?.mean)} + ${fmt(work.charge['state transitions']?.mean)}`;
      },
      compared: (run) => {
        const work = run.waiting?.charging?.serverWork;
        const reservation = work?.reservation['state transitions']?.mean;
        const charge = work?.charge['state transitions']?.mean;
        return reservation === undefined || charge === undefined ? undefined : [reservation, charge];
      },
    },
    storeOperationsRow('the server\'s store operations per charge while draining (its own count)', (run) => run.waiting?.charging?.storeOperationsPerCharge),
  ];
}

function recoveryRows(runs: TopologyResults[]): Row[] {
  const first = runs.find((run) => run.recovery)?.recovery;
  if (!first) return [];
  return [
    {
      scenario: `5. Recovery: worker SIGKILLed, ${first.concurrency} concurrent`,
      measured: 'restart to last in-flight payment answered',
      cell: (run) => {
        const r = run.recovery;
        return r && `**${fmt(r.restartToLastMs)} ms** for ${r.inFlight} in flight (${r.completed} COMPLETE${r.chargedOnce ? ', each charged once' : ', NOT each charged once'}); new worker ready in ${fmt(r.workerReadyMs)} ms`;
      },
      compared: (run) => run.recovery && [run.recovery.restartToLastMs],
    },
    {
      scenario: '',
      measured: 'in-flight payments answered after the restart: p50',
      cell: (run) => run.recovery && `${fmt(run.recovery.finishAfterRestartMs.p50)} ms`,
      compared: (run) => run.recovery && [run.recovery.finishAfterRestartMs.p50],
    },
    {
      scenario: '',
      measured: 'worker start: bundling at start vs prebuilt bundle',
      cell: (run) => {
        const start = run.recovery?.workerStartMs;
        return start && `${fmt(start.bundlingAtStart)} ms vs ${start.prebuiltBundle === undefined ? 'n/a' : `${fmt(start.prebuiltBundle)} ms`}`;
      },
    },
  ];
}

function scaleOutRows(runs: TopologyResults[]): Row[] {
  const first = runs.find((run) => run.scaleOut)?.scaleOut;
  if (!first) return [];
  const byInstance = (values: Partial<Record<string, number>>) =>
    Object.entries(values)
      .map(([name, value]) => `${name} ${fmt(value)}`)
      .join(', ');
  return [
    {
      scenario: `6. Scale-out: ${first.instances} workers + ${first.instances} APIs, ${first.concurrency} clients taking turns across the APIs`,
      measured: 'payments/s, p50 / p99',
      cell: (run) => run.scaleOut && `${fmt(run.scaleOut.paymentsPerSecond)}/s, ${fmt(run.scaleOut.latencyMs.p50)} / ${fmt(run.scaleOut.latencyMs.p99)} ms, ${run.scaleOut.errors} errors`,
      compared: (run) => run.scaleOut && [run.scaleOut.paymentsPerSecond],
    },
    {
      scenario: '',
      measured: "each instance's part of its kind's CPU; payments answered per API",
      cell: (run) => run.scaleOut && `${byInstance(run.scaleOut.shareOfKind)}; ${byInstance(run.scaleOut.completedByApi)}`,
    },
    {
      scenario: '',
      measured: 'CPU ms per payment, per process',
      cell: (run) => run.scaleOut && byInstance(run.scaleOut.cpuMsPerPayment),
    },
  ];
}

function eventLogRows(runs: TopologyResults[]): Row[] {
  if (!runs.some((run) => run.eventLog)) return [];
  const levels = (run: TopologyResults, targets: 'one' | 'spread') =>
    run.eventLog?.levels
      .filter((level) => level.targets === targets)
      .map((level) => `${level.concurrency}: ${fmt(level.perSecond)}/s p50 ${fmt(level.latencyMs.p50)} ms`)
      .join(', ');
  return [
    {
      scenario: "7. One merchant's event log: signals to one workflow (senders: rate, latency)",
      measured: 'one workflow',
      cell: (run) => run.eventLog && levels(run, 'one'),
      compared: (run) => run.eventLog && [run.eventLog.oneWorkflowPerSecond],
    },
    {
      scenario: '',
      measured: 'the same senders, one workflow each',
      cell: (run) => run.eventLog && levels(run, 'spread'),
      compared: (run) => run.eventLog && [run.eventLog.spreadPerSecond],
    },
  ];
}

function failureRows(runs: TopologyResults[]): Row[] {
  const scenarios = [...new Set(runs.flatMap((run) => Object.keys(run.failures)))] as (keyof TopologyResults['failures'])[];
  return scenarios.map((scenario) => ({
    scenario,
    measured: 'FAILED',
    cell: (run) => run.failures[scenario]?.replace(/\|/g, '/'),
  }));
}

/** "server 102, postgres 40, ..." in report order. */
const perRole = (values: Partial<Record<Role | 'total', number>>) =>
  ROLES.filter((role) => values[role] !== undefined)
    .map((role) => `${role} ${fmt(values[role])}`)
    .join(', ');
const pickEach = (processes: Partial<Record<Role, ProcessUsage>>, pick: (usage: ProcessUsage) => number) =>
  Object.fromEntries(Object.entries(processes).map(([role, usage]) => [role, pick(usage)])) as Partial<Record<Role, number>>;

function throughputLevels(topology: string, throughput: ThroughputResult | undefined): string[] {
  if (!throughput?.levels.length) return [];
  const lines = ['', `Throughput levels on ${topology} (CPU in % of one core; CPU ms per payment; memory max in MiB, PSS for PostgreSQL):`, ''];
  lines.push('| concurrency | payments/s | p50 | p95 | p99 ms | errors | CPU % | CPU ms per payment | memory max |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const level of throughput.levels) {
    lines.push(
      `| ${level.concurrency} | ${level.paymentsPerSecond} | ${fmt(level.latencyMs.p50)} | ${fmt(level.latencyMs.p95)} | ${fmt(level.latencyMs.p99)} | ${level.errors} | ` +
        `${perRole(pickEach(level.processes, (usage) => usage.cpuPercent))} | ${perRole(level.cpuMsPerPayment)}, total ${fmt(level.cpuMsPerPayment.total)} | ${perRole(pickEach(level.processes, (usage) => usage.memoryMaxMiB))} |`,
    );
  }
  const threaded = throughput.levels.filter((level) => level.threadCpuMsPerPayment);
  if (threaded.length) lines.push('', `Our processes by thread on ${topology}, CPU ms per payment (main thread; the SDK core's Rust threads; the rest: workflow sandboxes, GC helpers, libuv):`, '');
  for (const level of threaded) {
    const processes = Object.entries(level.threadCpuMsPerPayment ?? {}) as [string, ThreadCpu][];
    lines.push(`- ${level.concurrency} concurrent, ${level.paymentsPerSecond}/s: ${processes.map(([name, perPayment]) => `${name} ${describeThreadCpu(perPayment)}`).join('; ')}`);
  }
  const explained = throughput.levels.filter((level) => level.slowest);
  if (explained.length) lines.push('', 'The slowest payments of each level, from their histories:', '');
  for (const level of explained) lines.push(`- ${level.concurrency} concurrent, slowest ${level.slowest?.count}: ${describeSlowest(level.slowest as SlowestPayments)}`);
  return lines;
}

/** Where a payment's time goes, per variant and topology, from the histories (server clock). */
function anatomy(results: BenchResults): string[] {
  const columns = TOPOLOGIES.flatMap((topology) => {
    const latency = results.topologies[topology]?.latency;
    return latency ? Object.keys(latency.anatomy).map((name) => ({ label: `${name} (${topology})`, anatomy: latency.anatomy[name], counts: latency.historyCounts[name] })) : [];
  });
  const phases = Object.keys(columns[0]?.anatomy ?? {});
  if (!phases.length) return [];
  const lines = ['', "Where a payment's time goes (p50 ms, from the histories, server clock):", ''];
  lines.push(`| phase | ${columns.map((column) => column.label).join(' | ')} |`);
  lines.push(`|---|${columns.map(() => '---').join('|')}|`);
  for (const phase of phases) lines.push(`| ${phase} | ${columns.map((column) => fmt(column.anatomy?.[phase]?.p50)).join(' | ')} |`);
  for (const count of Object.keys(columns[0]?.counts ?? {})) {
    lines.push(`| ${count} per payment (mean) | ${columns.map((column) => fmt(column.counts?.[count]?.mean)).join(' | ')} |`);
  }
  return lines;
}
