import type { MachineInfo } from './machine';
import type { BenchOptions } from './options';
import type { ProcessUsage, Role } from './proc-stats';
import type { LatencyResult } from './scenarios/latency';
import type { RecoveryResult } from './scenarios/recovery';
import type { ThroughputResult } from './scenarios/throughput';
import type { WaitingResult } from './scenarios/waiting';
import type { LatencySummary } from './stats';

export interface BenchResults {
  startedAt: string;
  finishedAt?: string;
  wallSeconds?: number;
  command: string;
  machine: MachineInfo;
  options: BenchOptions;
  workflowBundleMs?: number;
  startups: Record<string, { stackMs: number; workerReadyMs: number }>;
  latency?: LatencyResult;
  throughput?: ThroughputResult;
  waiting?: WaitingResult;
  recovery?: RecoveryResult;
  failures: Record<string, string>;
}

const ms = (summary: LatencySummary) => `${fmt(summary.p50)} / ${fmt(summary.p95)} / ${fmt(summary.p99)} ms`;
const fmt = (value: number) => (Number.isFinite(value) ? (Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-GB') : String(value)) : 'n/a');
const times = (ratio: { p50: number; p95: number; p99: number }) => `×${ratio.p50} / ×${ratio.p95} / ×${ratio.p99}`;
const cpu = (processes: Record<Role, ProcessUsage>) =>
  `worker ${processes.worker.cpuPercent}%, API ${processes.api.cpuPercent}%, server ${processes.devServer.cpuPercent}%, bench ${processes.bench.cpuPercent}%`;
const rss = (processes: Record<Role, ProcessUsage>) =>
  `worker ${processes.worker.rssMaxMiB}, API ${processes.api.rssMaxMiB}, server ${processes.devServer.rssMaxMiB}, bench ${processes.bench.rssMaxMiB} MiB`;

/** The short summary (README) and the detail tables, as Markdown. */
export function renderReport(results: BenchResults): string {
  const lines: string[] = [];
  const m = results.machine;
  lines.push(`Command: \`${results.command}\``);
  lines.push(`Machine: ${m.nproc} CPUs (${m.cpuModel}), ${/^Mem:\s+(\d+)/m.exec(m.freeG)?.[1] ?? '?'} GiB RAM (free -g), Node ${m.node}, load average ${m.loadAverageAtStart} at start; commit ${m.gitCommit}`);
  lines.push(`Wall time: ${results.wallSeconds ?? '?'} s; sandbox latency ${results.options.sandboxLatencyMs} ms per provider call; ${results.options.prebuiltBundle ? 'prebuilt workflow bundle' : 'workers bundle at start'}${Object.keys(results.options.workerEnv).length ? `; worker env ${JSON.stringify(results.options.workerEnv)}` : ''}`);
  lines.push('');
  lines.push('| Scenario | Measured | Result |');
  lines.push('|---|---|---|');
  const l = results.latency;
  if (l) {
    for (const variant of l.variants) {
      const scenario =
        variant.name === 'floor'
          ? `1. Frictionless payment latency, TurnStay (${l.samplesPerVariant} of each, ${l.arrivalRatePerSecond}/s open loop, interleaved)`
          : variant.name.startsWith('naivePoll') && variant === l.variants.find((entry) => entry.name.startsWith('naivePoll'))
            ? '2. Naive baseline (start, then poll)'
            : '';
      const relative =
        variant.name === 'floor'
          ? 'the floor'
          : variant.name === 'earlyReturn'
            ? `${times(variant.toFloor)} of the floor`
            : `${times(variant.toFloor)} of the floor, ${times(variant.toEarlyReturn)} of early return`;
      lines.push(`| ${scenario} | ${variant.description}: p50 / p95 / p99 | ${ms(variant.latencyMs)} (${relative})${variant.errors ? `, ${variant.errors} errors` : ''} |`);
    }
  }
  const t = results.throughput;
  if (t) {
    const knee = t.knee;
    const best = [...t.levels].sort((a, b) => b.paymentsPerSecond - a.paymentsPerSecond)[0];
    lines.push(
      knee
        ? `| 3. Throughput (${t.levelSeconds} s per level, doubling) | knee: last level with p99 ≤ ${t.p99LimitMs} ms | ${knee.concurrency} concurrent: **${knee.paymentsPerSecond} payments/s**, p99 ${fmt(knee.latencyMs.p99)} ms; CPU ${cpu(knee.processes)}; RSS ${rss(knee.processes)} |`
        : `| 3. Throughput (${t.levelSeconds} s per level) | knee | none within p99 ≤ ${t.p99LimitMs} ms |`,
    );
    if (best && best !== knee) lines.push(`| | best level | ${best.concurrency} concurrent: ${best.paymentsPerSecond}/s, p99 ${fmt(best.latencyMs.p99)} ms (stopped: ${t.stoppedBecause}) |`);
    else lines.push(`| | stopped | ${t.stoppedBecause} |`);
  }
  const w = results.waiting;
  if (w) {
    lines.push(`| 4. Waiting scale: ${w.reservations.toLocaleString('en-GB')} reservations asleep at once | booking (${w.booking.concurrency} at a time) | ${w.booking.perSecond}/s, p99 ${fmt(w.booking.latencyMs.p99)} ms, ${w.booking.errors} errors; all asleep together for ${w.asleepTogetherSeconds} s |`);
    lines.push(`| | while asleep | worker RSS ${w.asleep.workerRssMiB} MiB, API ${w.asleep.apiRssMiB} MiB, server ${w.asleep.devServerRssMiB} MiB; SQLite ${w.asleep.dbMiB} MiB + WAL ${w.asleep.walMiB} MiB (${(w.asleep.bytesPerReservation / 1024).toFixed(1)} KiB per reservation) |`);
    lines.push(`| | charging all at ${w.callsPerSecondLimit} provider calls/s | last charged **${w.charging.lastChargeSeconds} s** after falling due (${w.charging.chargesPerSecond} charges/s, peak ${w.charging.peakProviderCallsPerSecond} calls/s), ${w.charging.charged} charged${w.charging.chargedOnce ? ', each once' : ' — NOT each once'}; worker RSS max ${w.charging.workerRssMaxMiB} MiB |`);
  }
  const r = results.recovery;
  if (r) {
    lines.push(`| 5. Recovery: worker SIGKILLed, ${r.concurrency} concurrent | restart to last in-flight payment answered | **${fmt(r.restartToLastMs)} ms** for ${r.inFlight} in flight (${r.completed} COMPLETE${r.chargedOnce ? ', each charged once' : ', NOT each charged once'}); new worker ready in ${fmt(r.workerReadyMs)} ms |`);
    lines.push(`| | worker start: bundling at start vs prebuilt bundle | ${fmt(r.workerStartMs.bundlingAtStart)} ms vs ${r.workerStartMs.prebuiltBundle === undefined ? 'n/a' : `${fmt(r.workerStartMs.prebuiltBundle)} ms`} |`);
  }
  for (const [scenario, message] of Object.entries(results.failures)) lines.push(`| ${scenario} | FAILED | ${message.replace(/\|/g, '/')} |`);

  if (t?.levels.length) {
    lines.push('');
    lines.push('Throughput levels (CPU in % of one core; RSS max in MiB):');
    lines.push('');
    lines.push('| concurrency | payments/s | p50 | p95 | p99 ms | errors | CPU worker / API / server / bench | RSS worker / API / server / bench |');
    lines.push('|---|---|---|---|---|---|---|---|');
    for (const level of t.levels) {
      const p = level.processes;
      lines.push(
        `| ${level.concurrency} | ${level.paymentsPerSecond} | ${fmt(level.latencyMs.p50)} | ${fmt(level.latencyMs.p95)} | ${fmt(level.latencyMs.p99)} | ${level.errors} | ` +
          `${p.worker.cpuPercent} / ${p.api.cpuPercent} / ${p.devServer.cpuPercent} / ${p.bench.cpuPercent} | ${p.worker.rssMaxMiB} / ${p.api.rssMaxMiB} / ${p.devServer.rssMaxMiB} / ${p.bench.rssMaxMiB} |`,
      );
    }
  }
  if (l) {
    const names = Object.keys(l.anatomy);
    const phases = Object.keys(l.anatomy[names[0] ?? ''] ?? {});
    if (phases.length) {
      lines.push('');
      lines.push('Where a payment\'s time goes (p50 ms, from the histories, server clock):');
      lines.push('');
      lines.push(`| phase | ${names.join(' | ')} |`);
      lines.push(`|---|${names.map(() => '---').join('|')}|`);
      for (const phase of phases) lines.push(`| ${phase} | ${names.map((name) => fmt(l.anatomy[name]?.[phase]?.p50 ?? Number.NaN)).join(' | ')} |`);
      for (const count of Object.keys(l.historyCounts[names[0] ?? ''] ?? {})) {
        lines.push(`| ${count} per payment (mean) | ${names.map((name) => fmt(l.historyCounts[name]?.[count]?.mean ?? Number.NaN)).join(' | ')} |`);
      }
    }
  }
  return lines.join('\n');
}
