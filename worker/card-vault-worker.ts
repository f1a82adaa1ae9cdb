import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Tracing } from '../infra/observability/tracing';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import { activityTracing } from './tracing-interceptors';
import { withCallMetrics } from '../activities/call-metrics';
import { createCardVaultActivities } from '../activities/card-vault-activities';
import type { ProviderRegistry } from '../activities/provider-registry';
import type { CardVault } from './card-vault';

export interface CardVaultWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  vault: CardVault;
  providers: ProviderRegistry;
  dataConverter: DataConverter;
  /** Spans for the card submissions (never their arguments); off when absent. */
  tracing?: Tracing;
}

/**
 * A worker on a task queue of this process alone (host affinity): the card-submission activity can only run
 * where the card is in memory. Started by every process that accepts card data (the API).
 */
export async function createCardVaultWorker(options: CardVaultWorkerOptions): Promise<{ worker: Worker; taskQueue: string }> {
  const taskQueue = `card-vault-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue,
    activities: createCardVaultActivities(options.vault, withCallMetrics(options.providers)),
    interceptors: { activity: [...(options.tracing ? [activityTracing] : []), heartbeatWhileRunning] },
    dataConverter: options.dataConverter,
  });
  return { worker, taskQueue };
}
