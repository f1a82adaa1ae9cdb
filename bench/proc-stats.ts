import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { TopologyProcess } from '../infra/temporal-topology';

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK; 100 on every common Linux). */
export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSnapshot {
  /** User + system CPU seconds used so far (a process tree: by all of it, exited members included). */
  cpuSeconds: number;
  /** RSS of one process; for a tree the sum of PSS, so memory its members share is counted once. */
  memoryBytes: number;
}

/** The fields of a /proc stat line from field 3 (state) on, as numbers (the state itself is NaN). */
export function statFields(stat: string): number[] {
  // Field 2 (comm) may hold spaces and parentheses: the fields after the last ')' start at field 3 (state).
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
}

/** utime, stime, cutime, cstime of /proc/<pid>/stat, in seconds; undefined when the process is gone. */
function readCpuTimes(pid: number): { own: number; reapedChildren: number } | undefined {
  try {
    const [utime = 0, stime = 0, cutime = 0, cstime = 0] = statFields(readFileSync(`/proc/${pid}/stat`, 'utf8')).slice(11, 15);
    return { own: (utime + stime) / CLOCK_TICKS, reapedChildren: (cutime + cstime) / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

function statusKiB(pid: number, file: 'status' | 'smaps_rollup', field: string): number {
  try {
    const text = readFileSync(`/proc/${pid}/${file}`, 'utf8');
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Reads /proc/<pid>/stat (utime + stime) and /proc/<pid>/status (VmRSS) of one process. */
export function readProc(pid: number): ProcSnapshot | undefined {
  const cpu = readCpuTimes(pid);
  if (!cpu) return undefined;
  return { cpuSeconds: cpu.own, memoryBytes: statusKiB(pid, 'status', 'VmRSS') * 1024 };
}

/** The ids of a process's threads (`/proc/<pid>/task`); empty when the process is gone. */
export function threadIds(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const task of threadIds(pid)) {
    let children: number[] = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // The thread ended meanwhile.
    }
    for (const child of children) found.push(child, ...descendants(child));
  }
  return found;
}

/**
 * A process and everything it forked (PostgreSQL: the postmaster and one backend per connection). A parent that
 * reaps its children gets their CPU added to its cutime/cstime, so utime + stime + cutime + cstime summed over the
 * live members counts the backends that exited between two samples too (each once: in its reaper).
 */
export function readProcessTree(pid: number): ProcSnapshot | undefined {
  const root = readCpuTimes(pid);
  if (!root) return undefined;
  let cpuSeconds = root.own + root.reapedChildren;
  let pssKiB = statusKiB(pid, 'smaps_rollup', 'Pss');
  for (const member of descendants(pid)) {
    const cpu = readCpuTimes(member);
    if (!cpu) continue;
    cpuSeconds += cpu.own + cpu.reapedChildren;
    pssKiB += statusKiB(member, 'smaps_rollup', 'Pss');
  }
  return { cpuSeconds, memoryBytes: pssKiB * 1024 };
}

/** The processes of one system under test: the topology's (server, PostgreSQL, UI), ours, and this one. */
export type Role = TopologyProcess['role'] | 'worker' | 'api' | 'bench';
/** Report order. `bench` is this process: the load generator and both embedded sandboxes. */
export const ROLES: Role[] = ['server', 'postgres', 'ui', 'worker', 'api', 'bench'];
/** Roles that fork: read as process trees. Never `bench`, whose children are the worker and the API. */
const TREE_ROLES = new Set<Role>(['postgres']);

export function readRole(role: Role | string, pid: number): ProcSnapshot | undefined {
  return TREE_ROLES.has(role as Role) ? readProcessTree(pid) : readProc(pid);
}

export interface ProcessUsage {
  /** CPU used over the window, in ms. */
  cpuMs: number;
  /** CPU used over the window, in % of one core (200% = both cores of a 2-core machine). */
  cpuPercent: number;
  /** RSS (PSS summed over a process tree), mean and max of the samples. */
  memoryMeanMiB: number;
  memoryMaxMiB: number;
}

/**
 * Samples CPU and memory of the system's processes once a second between start() and stop(). Pids are read at
 * every sample, so a restarted worker is followed (its CPU is summed over both lives). Roles the topology does not
 * have (PostgreSQL and the UI server on the dev server) are absent from the result. Keys are roles, or names of
 * process instances (`worker-2`) when a system runs several of one kind; roles come first, in report order.
 */
export class ProcessSampler<Key extends string = Role> {
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private readonly cpu = new Map<Key, { pid: number; first: number; last: number; carried: number }>();
  private readonly memory = new Map<Key, number[]>();

  constructor(private readonly pids: () => Partial<Record<Key, number>>) {}

  start(): void {
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), 1_000);
    this.timer.unref();
  }

  private sample(): void {
    for (const [role, pid] of Object.entries(this.pids()) as [Key, number | undefined][]) {
      if (pid === undefined) continue;
      const snapshot = readRole(role, pid);
      if (!snapshot) continue;
      const seen = this.cpu.get(role);
      if (!seen) this.cpu.set(role, { pid, first: snapshot.cpuSeconds, last: snapshot.cpuSeconds, carried: 0 });
      else if (seen.pid !== pid) this.cpu.set(role, { pid, first: snapshot.cpuSeconds, last: snapshot.cpuSeconds, carried: seen.carried + seen.last - seen.first });
      else seen.last = snapshot.cpuSeconds;
      const list = this.memory.get(role) ?? [];
      list.push(snapshot.memoryBytes);
      this.memory.set(role, list);
    }
  }

  stop(): Partial<Record<Key, ProcessUsage>> {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.startedAt) / 1_000;
    const result: Partial<Record<Key, ProcessUsage>> = {};
    const seen = [...this.cpu.keys()];
    const ordered = [...ROLES.filter((role) => seen.includes(role as Key)), ...seen.filter((key) => !ROLES.includes(key as Role))] as Key[];
    for (const role of ordered) {
      const cpu = this.cpu.get(role);
      if (!cpu) continue;
      const cpuSeconds = cpu.carried + cpu.last - cpu.first;
      const memory = this.memory.get(role) ?? [];
      result[role] = {
        cpuMs: round(cpuSeconds * 1_000, 0),
        cpuPercent: seconds > 0 ? round((cpuSeconds / seconds) * 100, 0) : 0,
        memoryMeanMiB: memory.length ? round(memory.reduce((sum, value) => sum + value, 0) / memory.length / 2 ** 20, 0) : 0,
        memoryMaxMiB: memory.length ? round(Math.max(...memory) / 2 ** 20, 0) : 0,
      };
    }
    return result;
  }
}

/** "server 102%, postgres 40%, ..." in report order. */
export function cpuPercentSummary(processes: Partial<Record<Role, ProcessUsage>>): string {
  return ROLES.filter((role) => processes[role]).map((role) => `${role} ${processes[role]?.cpuPercent}%`).join(', ');
}

/** Each process's CPU ms divided by the payments completed meanwhile, and their sum as `total`; in the order given. */
export function cpuMsPerPayment<Key extends string = Role>(processes: Partial<Record<Key, ProcessUsage>>, payments: number): Partial<Record<Key | 'total', number>> {
  const perPayment: Partial<Record<Key | 'total', number>> = {};
  if (payments === 0) return perPayment;
  let total = 0;
  for (const [key, usage] of Object.entries(processes) as [Key, ProcessUsage | undefined][]) {
    if (!usage) continue;
    perPayment[key] = round(usage.cpuMs / payments);
    total += usage.cpuMs;
  }
  perPayment.total = round(total / payments);
  return perPayment;
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
