import { cpus } from 'node:os';
import { cpuCalibrationMs, MachineCpuWindow } from '../../bench/machine-cpu';

describe('bench: the machine’s CPU over a window', () => {
  test('a window with one core kept busy shows at least that share of the machine busy, and a steal share', () => {
    const window = new MachineCpuWindow();
    const until = performance.now() + 500;
    while (performance.now() < until) {
      // Keep this core busy.
    }
    const usage = window.stop();
    expect(usage).toBeDefined();
    // One of N cores for the whole window, less the tick rounding at its ends.
    expect(usage?.busyPercent).toBeGreaterThanOrEqual(100 / cpus().length - 15);
    expect(usage?.busyPercent).toBeLessThanOrEqual(100);
    expect(usage?.stealPercent).toBeGreaterThanOrEqual(0);
    expect(usage?.stealPercent).toBeLessThan(usage?.busyPercent ?? 0);
  });

  test('the calibration workload takes measurable time, its best run no slower than its median', () => {
    const { bestMs, medianMs } = cpuCalibrationMs();
    expect(bestMs).toBeGreaterThan(1);
    expect(medianMs).toBeGreaterThanOrEqual(bestMs);
  });
});
