import { renderScalingModel, scalingModel } from '../../bench/scaling-model';
import type { TopologyResults } from '../../bench/results';

const usage = (cpuMs: number) => ({ cpuMs, cpuPercent: 0, memoryMeanMiB: 0, memoryMaxMiB: 0 });

test('cores per process for 1,000 payments/s and for 100,000 reservations due within an hour, from measured CPU', () => {
  const level = (concurrency: number, cpuMsPerPayment: Record<string, number>) => ({
    concurrency, seconds: 60, paymentsPerSecond: 10, completed: 600, errors: 0,
    latencyMs: { count: 600, p50: 1, p90: 1, p99: 1, max: 1, mean: 1 }, processes: {}, cpuMsPerPayment,
  });
  const run = {
    startups: {},
    failures: {},
    throughput: {
      levelSeconds: 60, p99LimitMs: 2_000, stoppedBecause: 'p99', wallSeconds: 200,
      levels: [level(8, { server: 10, worker: 1, api: 1, bench: 5, total: 17 }), level(16, { server: 40, postgres: 30, worker: 8, api: 12, bench: 6, total: 96 })],
      knee: level(16, { server: 40, postgres: 30, worker: 8, api: 12, bench: 6, total: 96 }),
    },
    waiting: { charging: { charged: 1_000, processes: { server: usage(36_000), worker: usage(18_000), bench: usage(99_000) } } },
  } as unknown as TopologyResults;
  const model = scalingModel(run)!;
  // 40 ms per payment at 1,000 payments/s is 40 cores; the load generator and sandboxes (`bench`) are left out.
  expect(model.payments.cores).toEqual({ server: 40, postgres: 30, worker: 8, api: 12, total: 90 });
  // 100,000 in 3,600 s is 27.8 charges/s; 36 ms of server CPU per charge is 1.0 core.
  expect(model.reservations).toMatchObject({ chargesPerSecond: 27.8, cores: { server: 1, worker: 0.5, total: 1.5 } });
  const table = renderScalingModel([['cluster', model]]).join('\n');
  expect(table).toContain('| cluster | 1,000 payments/s | 40 | 30 | — | 8 | 12 | 90 |');
  expect(table).toContain('100,000 reservations due within 1 h (27.8 charges/s)');
});

test('no model without a measured throughput level', () => {
  expect(scalingModel({ startups: {}, failures: {} })).toBeUndefined();
});
