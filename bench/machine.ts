import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname, loadavg, release } from 'node:os';
import { join, resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { resolvePostgresBinDir } from '../infra/postgres-instance';
import { resolveTemporalCli } from '../infra/temporal-dev-server';
import { cpuCalibrationMs } from './machine-cpu';

export interface MachineInfo {
  /** Which machine: its host name and kernel (results from different machines do not compare). */
  hostname: string;
  kernel: string;
  nproc: number;
  /** `free -g`, as printed. */
  freeG: string;
  cpuModel: string;
  node: string;
  temporalCli: string;
  /** The cluster topology's server and database ('unknown' when setup did not build them). */
  temporalServer: string;
  postgres: string;
  gitCommit: string;
  /** 1-minute load average when the run started: other work on the machine skews every figure. */
  loadAverageAtStart: number;
  /** A fixed JSON workload's time when the run started (best and median of five): the VM's speed varies by the hour. */
  cpuCalibrationMs: { bestMs: number; medianMs: number };
  /** The worker's workflow cache when WORKER_MAX_CACHED_WORKFLOWS is unset: the SDK sizes it from the V8 heap limit. */
  sdkDefaultMaxCachedWorkflows: number;
}

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function postgresVersion(): string {
  try {
    return run(join(resolvePostgresBinDir(), 'postgres'), ['--version']);
  } catch {
    return 'unknown';
  }
}

export function machineInfo(): MachineInfo {
  let cpuModel = 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? 'unknown';
  } catch {
    // Not Linux.
  }
  const status = run('git', ['status', '--porcelain']);
  return {
    hostname: hostname(),
    kernel: release(),
    nproc: Number(run('nproc', [])) || availableParallelism(),
    freeG: run('free', ['-g']),
    cpuModel,
    node: process.version,
    temporalCli: run(resolveTemporalCli(), ['--version']),
    temporalServer: run(process.env.TEMPORAL_SERVER_PATH ?? join(resolve(__dirname, '..'), '.tools', 'temporal-server'), ['--version']),
    postgres: postgresVersion(),
    gitCommit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${status && status !== 'unknown' ? ' (with uncommitted changes)' : ''}`,
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
    cpuCalibrationMs: cpuCalibrationMs(),
    // @temporalio/worker 1.24 (worker-options.js): max(floor((heapMiB - 200) * 600 / 1024), 10) with reuseV8Context.
    sdkDefaultMaxCachedWorkflows: Math.max(Math.floor((Math.max(getHeapStatistics().heap_size_limit / 2 ** 20 - 200, 0) * 600) / 1024), 10),
  };
}
