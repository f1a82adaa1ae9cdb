import { ROLES, round, type Role } from './proc-stats';
import type { TopologyResults } from './results';

/** What each of our system's processes needs, in cores, for a load, from CPU measured per unit of work. */
export interface ScalingModel {
  /** 1,000 frictionless payments per second, from the CPU per payment at the throughput knee. */
  payments: { perSecond: number; basis: string; cores: Partial<Record<SystemRole | 'total', number>> };
  /** 100,000 reservations falling due within one hour, from the CPU per charge while the waiting set drained. */
  reservations?: { due: number; withinSeconds: number; chargesPerSecond: number; basis: string; cores: Partial<Record<SystemRole | 'total', number>> };
}

/** The system's processes; `bench` (the load generator and the provider sandboxes) is not part of it. */
export type SystemRole = Exclude<Role, 'bench'>;
const SYSTEM_ROLES = ROLES.filter((role): role is SystemRole => role !== 'bench');

export const MODEL_PAYMENTS_PER_SECOND = 1_000;
export const MODEL_RESERVATIONS_DUE = 100_000;
export const MODEL_DUE_WITHIN_SECONDS = 3_600;

/** Cores = CPU ms per unit × units per second / 1,000 ms per core-second, per process and summed. */
function coresFor(cpuMsPerUnit: Partial<Record<Role, number>>, unitsPerSecond: number): Partial<Record<SystemRole | 'total', number>> {
  const cores: Partial<Record<SystemRole | 'total', number>> = {};
  let total = 0;
  for (const role of SYSTEM_ROLES) {
    const ms = cpuMsPerUnit[role];
    if (ms === undefined) continue;
    cores[role] = round((ms * unitsPerSecond) / 1_000);
    total += (ms * unitsPerSecond) / 1_000;
  }
  cores.total = round(total);
  return cores;
}

export function scalingModel(run: TopologyResults): ScalingModel | undefined {
  const level = run.throughput?.knee ?? run.throughput?.levels.at(-1);
  if (!level || level.completed === 0) return undefined;
  const model: ScalingModel = {
    payments: {
      perSecond: MODEL_PAYMENTS_PER_SECOND,
      basis: `CPU per payment at ${level.concurrency} concurrent (${level.paymentsPerSecond}/s)${run.throughput?.knee ? ', the knee' : ', the last level (no knee)'}`,
      cores: coresFor(level.cpuMsPerPayment, MODEL_PAYMENTS_PER_SECOND),
    },
  };
  const charging = run.waiting?.charging;
  if (charging && charging.charged > 0) {
    const perCharge: Partial<Record<Role, number>> = {};
    for (const [role, usage] of Object.entries(charging.processes) as [Role, { cpuMs: number }][]) perCharge[role] = usage.cpuMs / charging.charged;
    const chargesPerSecond = MODEL_RESERVATIONS_DUE / MODEL_DUE_WITHIN_SECONDS;
    model.reservations = {
      due: MODEL_RESERVATIONS_DUE,
      withinSeconds: MODEL_DUE_WITHIN_SECONDS,
      chargesPerSecond: round(chargesPerSecond),
      basis: `CPU per charge while ${charging.charged} reservations drained (the charge's payment workflow, its report to the reservation, 2 provider calls)`,
      cores: coresFor(perCharge, chargesPerSecond),
    };
  }
  return model;
}

/** Markdown lines: one row per topology and load, a column per process. */
export function renderScalingModel(models: [string, ScalingModel][]): string[] {
  if (!models.length) return [];
  const lines = [
    '',
    `Scaling model (cores each process needs, from the CPU measured above; linear, so it ignores batching gains and queueing):`,
    '',
    `| Topology | Load | ${SYSTEM_ROLES.join(' | ')} | total | basis |`,
    `|---|---|${SYSTEM_ROLES.map(() => '---|').join('')}---|---|`,
  ];
  const cells = (cores: Partial<Record<SystemRole | 'total', number>>) => [...SYSTEM_ROLES, 'total' as const].map((role) => (cores[role] === undefined ? '—' : String(cores[role]))).join(' | ');
  for (const [topology, model] of models) {
    lines.push(`| ${topology} | ${model.payments.perSecond.toLocaleString('en')} payments/s | ${cells(model.payments.cores)} | ${model.payments.basis} |`);
    if (model.reservations) {
      const r = model.reservations;
      lines.push(`| ${topology} | ${r.due.toLocaleString('en')} reservations due within ${r.withinSeconds / 3_600} h (${r.chargesPerSecond} charges/s) | ${cells(r.cores)} | ${r.basis} |`);
    }
  }
  return lines;
}
