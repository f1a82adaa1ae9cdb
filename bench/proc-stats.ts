import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on every common Linux). */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSnapshot {
  /** User + system CPU seconds the process has used so far. */
  cpuSeconds: number;
  rssBytes: number;
  /** Peak RSS of the process's life (VmHWM). */
  peakRssBytes: number;
}

/** Reads /proc/<pid>/stat (utime, stime) and /proc/<pid>/status (VmRSS, VmHWM); undefined when the process is gone. */
export function readProc(pid: number): ProcSnapshot | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: the fields after the last ')' start at field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return { cpuSeconds: (utime + stime) / CLOCK_TICKS, rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

export interface ProcessUsage {
  /** CPU used over the window, in % of one core (200% = both cores of a 2-core machine). */
  cpuPercent: number;
  rssMeanMiB: number;
  rssMaxMiB: number;
}

export type Role = 'worker' | 'api' | 'devServer' | 'bench';
export const ROLES: Role[] = ['worker', 'api', 'devServer', 'bench'];

/**
 * Samples CPU and RSS of the system's processes once a second between start() and stop(). The worker's pid is
 * read at every sample, so a restarted worker is followed (its CPU is summed over both lives).
 */
export class ProcessSampler {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private readonly cpu = new Map<Role, { pid: number; first: number; last: number; carried: number }>();
  private readonly rss = new Map<Role, number[]>();

  constructor(private readonly pids: () => Record<Role, number | undefined>) {}

  start(): void {
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
    this.timer.unref();
  }

  private sample(): void {
    for (const [role, pid] of Object.entries(this.pids()) as [Role, number | undefined][]) {
      if (pid === undefined) continue;
      const snapshot = readProc(pid);
      if (!snapshot) continue;
      const seen = this.cpu.get(role);
      if (!seen) this.cpu.set(role, { pid, first: snapshot.cpuSeconds, last: snapshot.cpuSeconds, carried: 0 });
      else if (seen.pid !== pid) this.cpu.set(role, { pid, first: snapshot.cpuSeconds, last: snapshot.cpuSeconds, carried: seen.carried + seen.last - seen.first });
      else seen.last = snapshot.cpuSeconds;
      const list = this.rss.get(role) ?? [];
      list.push(snapshot.rssBytes);
      this.rss.set(role, list);
    }
  }

  stop(): Record<Role, ProcessUsage> {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1_000;
    const result = {} as Record<Role, ProcessUsage>;
    for (const role of ROLES) {
      const cpu = this.cpu.get(role);
      const rss = this.rss.get(role) ?? [];
      result[role] = {
        cpuPercent: cpu && seconds > 0 ? round(((cpu.carried + cpu.last - cpu.first) / seconds) * 100, 0) : 0,
        rssMeanMiB: rss.length ? round(rss.reduce((sum, value) => sum + value, 0) / rss.length / 2 ** 20, 0) : 0,
        rssMaxMiB: rss.length ? round(Math.max(...rss) / 2 ** 20, 0) : 0,
      };
    }
    return result;
  }
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
