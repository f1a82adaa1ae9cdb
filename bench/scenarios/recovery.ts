import { Client, Connection } from '@temporalio/client';
import type { BenchContext } from '../context';
import { countTimeouts, fetchEvents, retriedActivities } from '../history';
import { apiPayment, uniqueReference } from '../drivers';
import { requestJson } from '../http';
import { ClosedLoop, sleep } from '../load';
import { round } from '../proc-stats';
import { summarize, type LatencySummary } from '../stats';
import { MERCHANT_ID } from '../stack';
import { paymentWorkflowId } from '../../api/start-payment';

export interface RecoveryResult {
  concurrency: number;
  warmupSeconds: number;
  /** Payments whose HTTP call was open when the worker was killed. */
  inFlight: number;
  /** Worker restart (spawned right after the SIGKILL) to the last in-flight payment answering. */
  restartToLastMs: number;
  restartToFirstMs: number;
  /** Restart to the new worker logging "worker running". */
  workerReadyMs: number;
  /** When the in-flight payments answered, counted from the restart. */
  finishAfterRestartMs: LatencySummary;
  completed: number;
  notCompleted: string[];
  /** Every in-flight payment charged exactly once, per the sandbox ledger. */
  chargedOnce: boolean;
  /** Worker start (spawn to "worker running") bundling its workflows at start vs. loading the prebuilt bundle. */
  workerStartMs: { bundlingAtStart: number; prebuiltBundle?: number };
  /** What the crash cost, from the in-flight payments' histories: timeouts that had to expire, activities retried. */
  timeouts: Record<string, number>;
  retriedActivities: Record<string, number>;
  wallSeconds: number;
}

/**
 * Scenario 5: payments in flight at a steady concurrency; the worker is SIGKILLed and started again at once; how
 * long until every payment that was in flight has its answer, and was each charged exactly once.
 */
export async function runRecovery(ctx: BenchContext, bundlePath: string | undefined): Promise<RecoveryResult> {
  const { options } = ctx;
  const { stack } = await ctx.startStack('recovery');
  const started = performance.now();
  try {
    // What the prebuilt bundle buys at each worker start: one start that bundles, one that loads the bundle.
    const bundling = await stack.restartWorker({ WORKFLOW_BUNDLE_PATH: undefined });
    const prebuilt = bundlePath ? await stack.restartWorker({ WORKFLOW_BUNDLE_PATH: bundlePath }) : undefined;
    if (!options.prebuiltBundle) await stack.restartWorker({ WORKFLOW_BUNDLE_PATH: undefined });
    ctx.log(`recovery: worker start ${round(bundling.readyMs, 0)} ms bundling at start${prebuilt ? `, ${round(prebuilt.readyMs, 0)} ms with the prebuilt bundle` : ''}`);

    const references = new Map<number, string>();
    const loop = new ClosedLoop(options.recoveryConcurrency, (id) => {
      const reference = uniqueReference('rec');
      references.set(id, reference);
      return apiPayment(stack, reference);
    }).start();
    await sleep(options.recoveryWarmupSeconds * 1_000);
    const inFlightIds = new Set(loop.inFlight);
    const draining = loop.stop();
    const killedAt = performance.now();
    await stack.killWorker();
    const restartAt = performance.now();
    const ready = await stack.startWorker();
    ctx.log(`recovery: worker killed with ${inFlightIds.size} payments in flight; new worker ready in ${round(ready.readyMs, 0)} ms`);
    await draining;
    const inFlight = loop.samples.filter((sample) => sample.startedAt < killedAt && sample.finishedAt >= killedAt);
    const after = inFlight.map((sample) => sample.finishedAt - restartAt);
    const notCompleted = inFlight.filter((sample) => !sample.ok).map((sample) => sample.outcome);
    let chargedOnce = true;
    for (const id of inFlightIds) {
      const reference = references.get(id) as string;
      const ledger = await requestJson<{ entries: { type: string }[] }>('GET', `${stack.turnstay.apiUrl}/__sandbox/ledger?reference=${paymentWorkflowId(MERCHANT_ID, reference)}`);
      if (ledger.body.entries.filter((entry) => entry.type === 'charge').length !== 1) chargedOnce = false;
    }
    const connection = await Connection.connect({ address: stack.temporal.address });
    const client = new Client({ connection, namespace: stack.temporal.namespace });
    const histories = await Promise.all([...inFlightIds].map((id) => fetchEvents(client, paymentWorkflowId(MERCHANT_ID, references.get(id) as string))));
    await connection.close();
    const result: RecoveryResult = {
      concurrency: options.recoveryConcurrency,
      warmupSeconds: options.recoveryWarmupSeconds,
      inFlight: inFlight.length,
      restartToLastMs: round(Math.max(...after), 0),
      restartToFirstMs: round(Math.min(...after), 0),
      workerReadyMs: round(ready.readyMs, 0),
      finishAfterRestartMs: summarize(after),
      completed: inFlight.length - notCompleted.length,
      notCompleted,
      chargedOnce,
      workerStartMs: { bundlingAtStart: round(bundling.readyMs, 0), ...(prebuilt ? { prebuiltBundle: round(prebuilt.readyMs, 0) } : {}) },
      timeouts: countTimeouts(histories),
      retriedActivities: retriedActivities(histories),
      wallSeconds: round((performance.now() - started) / 1_000),
    };
    ctx.log(`recovery: last in-flight payment answered ${result.restartToLastMs} ms after the restart (${result.completed}/${result.inFlight} COMPLETE, charged once: ${chargedOnce}); timeouts ${JSON.stringify(result.timeouts)}, retried ${JSON.stringify(result.retriedActivities)}`);
    return result;
  } finally {
    await stack.stop();
  }
}
