import { collectDefaultMetrics } from 'prom-client';
import { Runtime } from '@temporalio/worker';
import { z } from 'zod';
import type { LogLevel } from '@temporalio/common';
import { findFreePort } from '../free-port';
import { createLogger } from '../logger';
import { metricsRegistry } from './metrics';
import { PinoTemporalLogger, sdkLogLevelSchema, type SdkLogLevel } from './sdk-logger';

export const sdkMetricsEnvSchema = z.object({
  /** host:port of the Temporal SDK's Prometheus exporter, whose page each process's metrics page includes (default: loopback, any free port). */
  TEMPORAL_SDK_METRICS_ADDRESS: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port').optional(),
  /** The Temporal SDK's own log lines (pino, logger name temporal-sdk) from this level up: below warn, a line per worker state and poll. */
  TEMPORAL_SDK_LOG_LEVEL: sdkLogLevelSchema.default('warn'),
});

export interface ProcessMetrics {
  /** Where the Temporal SDK's own Prometheus exporter listens (loopback unless configured otherwise). */
  sdkMetricsAddress: string;
  /** This process's metrics and the SDK's, as one Prometheus text page. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/**
 * Installs the Temporal core runtime with its Prometheus exporter, which serves the SDK's metrics (`temporal_*`:
 * polls, task latencies, slots, sticky cache) on a port of its own. Each process's metrics page appends that page to
 * prom-client's, so an operator scrapes one target per process; the SDK's port stays on loopback by default.
 * Also collects Node's process metrics (CPU, memory, event-loop lag), and sends the SDK's log lines, the core's
 * included, through pino from `sdkLogLevel` up (default warn).
 * Runtime.install may run only once per process and before any Temporal connection: call this first in main().
 */
export async function installProcessMetrics(
  options: { sdkMetricsAddress?: string; shutdownSignals?: NodeJS.Signals[]; sdkLogLevel?: SdkLogLevel } = {},
): Promise<ProcessMetrics> {
  const sdkMetricsAddress = options.sdkMetricsAddress ?? `127.0.0.1:${await findFreePort()}`;
  const sdkLogLevel = options.sdkLogLevel ?? 'warn';
  Runtime.install({
    logger: new PinoTemporalLogger(createLogger('temporal-sdk', { level: sdkLogLevel })),
    telemetryOptions: {
      logging: { filter: { core: sdkLogLevel.toUpperCase() as LogLevel, other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: sdkMetricsAddress, useSecondsForDurations: true } },
    },
    ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
  });
  collectDefaultMetrics({ register: metricsRegistry });
  const sdkUrl = `http://${sdkMetricsAddress.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}/metrics`;
  return {
    sdkMetricsAddress,
    async scrape() {
      const [own, sdk] = await Promise.all([metricsRegistry.metrics(), fetchSdkMetrics(sdkUrl)]);
      return { contentType: metricsRegistry.contentType, body: `${own}\n${sdk}` };
    },
  };
}

async function fetchSdkMetrics(url: string): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return `# Temporal SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch {
    // Our own metrics stay scrapable when the SDK exporter does not answer.
    return '# Temporal SDK metrics unavailable\n';
  }
}
