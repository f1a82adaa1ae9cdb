import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import type { Tracing } from '../infra/observability/tracing';
import { heartbeatWhileRunning } from './heartbeat-while-running';
import { activityTracing } from './tracing-interceptors';
import { withCallMetrics } from '../activities/call-metrics';
import { createCardVaultActivities, type TokenizeCardInput } from '../activities/card-vault-activities';
import type { TokenizedCard } from '../activities/provider-adapter';
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
export async function createCardVaultWorker(options: CardVaultWorkerOptions): Promise<CardVaultWorker> {
  const taskQueue = `card-vault-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const activities = createCardVaultActivities(options.vault, withCallMetrics(options.providers));
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue,
    activities,
    interceptors: { activity: [...(options.tracing ? [activityTracing] : []), heartbeatWhileRunning] },
    dataConverter: options.dataConverter,
  });
  return { worker, taskQueue, keepCardOnFile: activities.tokenizeCardFromVault };
}

export interface CardVaultWorker {
  worker: Worker;
  taskQueue: string;
  /**
   * The card-on-file activity called directly, in the request that brought the card: a reservation that starts with
   * the token needs no activity and no workflow task for it.
   */
  keepCardOnFile: (input: TokenizeCardInput) => Promise<TokenizedCard>;
}
