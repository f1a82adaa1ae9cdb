import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pause } from '../../support/wait-until';

/** One line of the chaos report (issue 7): what was started, what finished, and what went wrong. */
export interface ChaosRow {
  scenario: string;
  /** Payments (or reservations) started in the scenario. */
  started: number;
  /** Of those, how many reached a final state (COMPLETE, DECLINED, FAILED, EXPIRED, CANCELLED, REFUNDED, PAID...). */
  finished: number;
  /** Payments with more than one charge in the provider ledger (must be 0). */
  chargedTwice: number;
  /** Started but not finished by the scenario's deadline (must be 0). */
  stuck: number;
  /** From the fault (kill, restart, first fault) until the last affected payment finished; null when not applicable. */
  recoverySeconds: number | null;
  notes: string;
}

/** A row as written: the topology it ran on (dev server or cluster) is added by `recordChaosRows`. */
export interface ReportedRow extends ChaosRow {
  topology: string;
}

/** Rows per topology, each from its latest run: `npm test` runs the suite once per topology. */
interface ReportFile {
  updatedAt: string;
  runs: Record<string, { runId: string; rows: ReportedRow[] }>;
}

export const CHAOS_REPORT_PATH = resolve(__dirname, '../../artifacts/chaos-report.json');

/** The jest run this process belongs to: every test file of one run shares the server's store. */
function runId(): string {
  return process.env.TEST_TEMPORAL_STORE ?? 'no-server';
}

function topology(): string {
  return process.env.TEST_TOPOLOGY ?? 'dev';
}

/**
 * Adds (or replaces, by scenario) rows in test/artifacts/chaos-report.json; the run's global teardown prints the
 * whole table once (printChaosReport). Test files run in parallel jest workers, so the read-modify-write happens under
 * a lock file; rows of an earlier run are dropped.
 */
export async function recordChaosRows(rows: ChaosRow[]): Promise<ReportedRow[]> {
  mkdirSync(dirname(CHAOS_REPORT_PATH), { recursive: true });
  const lock = `${CHAOS_REPORT_PATH}.lock`;
  const deadline = Date.now() + 10_000;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx');
    } catch {
      if (Date.now() > deadline) {
        unlinkSync(lock); // a crashed writer left it behind
        continue;
      }
      await pause(25);
    }
  }
  try {
    let report: ReportFile = { updatedAt: '', runs: {} };
    if (existsSync(CHAOS_REPORT_PATH)) {
      try {
        const previous = JSON.parse(readFileSync(CHAOS_REPORT_PATH, 'utf8')) as ReportFile;
        if (previous.runs) report = previous;
      } catch {
        // A broken file is replaced.
      }
    }
    const current = report.runs[topology()];
    const earlier = current?.runId === runId() ? current.rows : [];
    const names = new Set(rows.map((row) => row.scenario));
    const thisRun = [...earlier.filter((row) => !names.has(row.scenario)), ...rows.map((row) => ({ ...row, topology: topology() }))];
    report.runs[topology()] = { runId: runId(), rows: thisRun };
    report.updatedAt = new Date().toISOString();
    const temporary = `${CHAOS_REPORT_PATH}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(temporary, CHAOS_REPORT_PATH);
    return thisRun;
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}

/** Prints this run's table (once, from the global teardown, after jest's summary); nothing when no chaos test ran. */
export function printChaosReport(): void {
  if (!existsSync(CHAOS_REPORT_PATH)) return;
  let report: ReportFile;
  try {
    report = JSON.parse(readFileSync(CHAOS_REPORT_PATH, 'utf8')) as ReportFile;
  } catch {
    return;
  }
  const current = report.runs?.[topology()];
  if (!current || current.runId !== runId() || current.rows.length === 0) return;
  process.stderr.write(`\n[chaos] report, ${topology()} topology (${current.rows.length} scenarios, ${CHAOS_REPORT_PATH}):\n${formatTable(current.rows)}\n`);
}

export function formatTable(rows: ReportedRow[]): string {
  const header = ['topology', 'scenario', 'started', 'finished', 'charged twice', 'stuck', 'recovery (s)', 'notes'];
  const cells = rows.map((row) => [
    row.topology,
    row.scenario,
    String(row.started),
    String(row.finished),
    String(row.chargedTwice),
    String(row.stuck),
    row.recoverySeconds === null ? '-' : row.recoverySeconds.toFixed(1),
    row.notes,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => (line[column] as string).length)));
  const line = (values: string[]) => `| ${values.map((value, column) => value.padEnd(widths[column] as number)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}
