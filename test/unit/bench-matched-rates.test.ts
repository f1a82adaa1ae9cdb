import { ownCpuAtMatchedRates, renderMatchedRates } from '../../bench/matched-rates';
import type { BenchResults } from '../../bench/results';

const level = (concurrency: number, paymentsPerSecond: number, worker: number, api: number) => ({
  concurrency, seconds: 60, paymentsPerSecond, completed: paymentsPerSecond * 60, errors: 0, processes: {}, cpuMsPerPayment: { server: 30, worker, api },
});
const run = (dev: ReturnType<typeof level>[], cluster: ReturnType<typeof level>[]) =>
  ({ topologies: { dev: { throughput: { levels: dev } }, cluster: { throughput: { levels: cluster } } } }) as unknown as Pick<BenchResults, 'topologies'>;

test('each cluster level beside the dev level nearest in payment rate, within 10%', () => {
  const results = run(
    [level(8, 21.3, 20, 14), level(16, 29.6, 20.2, 10.3), level(32, 36.2, 16.6, 8.2)],
    [level(8, 18.3, 20.4, 15.5), level(16, 21.4, 20.8, 11.6), level(32, 26.5, 20, 10)],
  );
  // 18.3/s is 14% from 21.3/s: not compared. 26.5/s is nearest 29.6/s, 11.7% away: not compared either.
  expect(ownCpuAtMatchedRates('a run', results)).toEqual([
    { run: 'a run', cluster: { concurrency: 16, paymentsPerSecond: 21.4, workerAndApiMs: 32.4 }, dev: { concurrency: 8, paymentsPerSecond: 21.3, workerAndApiMs: 34 }, differenceMs: -1.6 },
  ]);
  expect(renderMatchedRates(ownCpuAtMatchedRates('a run', results))).toContain('| a run | 16 concurrent, 21.4/s: 32.4 | 8 concurrent, 21.3/s: 34 | -1.6 |');
});

test('nothing to compare without both topologies, or without worker and API figures', () => {
  expect(ownCpuAtMatchedRates('dev only', run([level(8, 20, 10, 10)], []))).toEqual([]);
  const withoutApi = { ...level(8, 20, 10, 10), cpuMsPerPayment: { server: 30, worker: 10 } } as unknown as ReturnType<typeof level>;
  const noApi = run([level(8, 20, 10, 10)], [withoutApi]);
  expect(ownCpuAtMatchedRates('no API', noApi)).toEqual([]);
  expect(renderMatchedRates([])).toEqual([]);
});
