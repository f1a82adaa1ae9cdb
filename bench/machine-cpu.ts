import { readFileSync } from 'node:fs';
import { round } from './proc-stats';

/** The whole machine's CPU time so far, from /proc/stat's `cpu` line (all CPUs, in clock ticks). */
interface MachineCpuTicks {
  busy: number;
  /** Time the hypervisor ran something else while this VM wanted the CPU. */
  steal: number;
  total: number;
}

/** The machine over a window, in % of all its CPUs: what every process used, and what the hypervisor took. */
export interface MachineCpuUsage {
  busyPercent: number;
  stealPercent: number;
}

function readMachineCpu(): MachineCpuTicks | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // user nice system idle iowait irq softirq steal (guest time is already inside user and nice).
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
    return { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal };
  } catch {
    return undefined; // Not Linux.
  }
}

/**
 * Measures the machine from construction to stop(). Runs on the same VM differ by a fifth in CPU per payment
 * (bench/README.md, "A second full run"); steal time says whether the hypervisor was the cause.
 */
export class MachineCpuWindow {
  private readonly before = readMachineCpu();

  stop(): MachineCpuUsage | undefined {
    const after = readMachineCpu();
    if (!this.before || !after || after.total <= this.before.total) return undefined;
    const total = after.total - this.before.total;
    return { busyPercent: round(((after.busy - this.before.busy) / total) * 100), stealPercent: round(((after.steal - this.before.steal) / total) * 100) };
  }
}

/**
 * How long a fixed single-threaded workload (JSON of payment-sized objects, as the API and worker do all day) takes
 * here: the best and the median of five. A slower machine state shows as a higher figure from run to run.
 */
export function cpuCalibrationMs(): { bestMs: number; medianMs: number } {
  const payment = { id: 'payment-merchant1-calibration', amountMinor: 12_345, currency: 'GBP', status: 'COMPLETE', refunds: [], transitions: Array.from({ length: 8 }, (_, index) => ({ status: `S${index}`, at: new Date(0).toISOString() })) };
  const times: number[] = [];
  for (let run = 0; run < 5; run += 1) {
    const started = performance.now();
    let length = 0;
    for (let index = 0; index < 20_000; index += 1) length += (JSON.parse(JSON.stringify({ ...payment, amountMinor: index })) as { id: string }).id.length;
    if (length === 0) throw new Error('calibration workload optimized away');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { bestMs: round(times[0] ?? 0), medianMs: round(times[2] ?? 0) };
}
