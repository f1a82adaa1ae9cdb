import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

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

interface ReportFile {
  runId: string;
  updatedAt: string;
  rows: ChaosRow[];
}

export const CHAOS_REPORT_PATH = resolve(__dirname, '../../artifacts/chaos-report.json');

/** The jest run this process belongs to: every test file of one run shares the dev server's database path. */
function runId(): string {
  return process.env.TEST_TEMPORAL_DB_FILE ?? 'no-dev-server';
}

/**
 * Adds (or replaces, by scenario) rows in test/artifacts/chaos-report.json and prints the whole table so far to
 * stderr. Test files run in parallel jest workers, so the read-modify-write happens under a lock file; rows of an
 * earlier run are dropped.
 */
export async function recordChaosRows(rows: ChaosRow[]): Promise<ChaosRow[]> {
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
      await new Promise((done) => setTimeout(done, 25));
    }
  }
  try {
    let report: ReportFile = { runId: runId(), updatedAt: '', rows: [] };
    if (existsSync(CHAOS_REPORT_PATH)) {
      try {
        const previous = JSON.parse(readFileSync(CHAOS_REPORT_PATH, 'utf8')) as ReportFile;
        if (previous.runId === runId()) report = previous;
      } catch {
        // A broken file is replaced.
      }
    }
    const names = new Set(rows.map((row) => row.scenario));
    report.rows = [...report.rows.filter((row) => !names.has(row.scenario)), ...rows];
    report.updatedAt = new Date().toISOString();
    const temporary = `${CHAOS_REPORT_PATH}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
    renameSync(temporary, CHAOS_REPORT_PATH);
    process.stderr.write(`\n[chaos] report (${report.rows.length} scenarios so far, ${CHAOS_REPORT_PATH}):\n${formatTable(report.rows)}\n`);
    return report.rows;
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}

export function formatTable(rows: ChaosRow[]): string {
  const header = ['scenario', 'started', 'finished', 'charged twice', 'stuck', 'recovery (s)', 'notes'];
  const cells = rows.map((row) => [
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
