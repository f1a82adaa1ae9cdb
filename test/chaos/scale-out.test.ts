import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import type { PaymentBody } from '../support/merchant-client';
import { TEST_CARDS } from '../support/test-cards';
import { inParallel } from '../../infra/in-parallel';
import { recordChaosRows, type ChaosRow } from './support/chaos-report';
import { chaosPaymentBody, movementsByReference, postPayment, seconds, setSandboxFaults, waitForFinishedPayment, wholeLedger } from './support/chaos-helpers';
import { ProcessStack } from './support/process-stack';

/**
 * Scale beyond one machine (DESIGN.md): two payment workers and two API instances (each with its own card vault)
 * against one Temporal server, as replicas behind a load balancer. Payments spread across both of each; one worker is
 * SIGKILLed under load and the other takes over: nothing lost, each payment charged once.
 */
describe('two workers and two API instances on one Temporal server', () => {
  let stack: ProcessStack;
  const rows: ChaosRow[] = [];

  beforeAll(async () => {
    stack = await ProcessStack.start({ statusPollDelaysMs: [5_000] });
    await Promise.all([stack.startWorker(), stack.startWorker(), stack.startApi(), stack.startApiReplica()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    if (rows.length > 0) await recordChaosRows(rows);
  });

  test('every port the stack hands a process to bind lies below the kernel ephemeral range, where no other socket takes it first', () => {
    // Once in a while a port found free by listen(0) was taken (EADDRINUSE) before the child bound it a second later.
    const [ephemeralLow] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    const urls = [stack.apiUrl, ...stack.apiReplicas.map((replica) => replica.url), ...stack.workers.map((worker) => worker.healthUrl as string)];
    expect(urls).toHaveLength(4);
    expect(urls.filter((url) => Number(new URL(url).port) >= (ephemeralLow as number))).toEqual([]);
  });

  test('payments alternate between the API instances and spread across both workers; one worker SIGKILLed, none lost, each charged once', async () => {
    const apiUrls = [stack.apiUrl, stack.apiReplicas[0]!.url];
    // Provider latency keeps calls in flight when the kill lands.
    await Promise.all([setSandboxFaults(stack.turnstay.apiUrl, { latencyMs: 200 }), setSandboxFaults(stack.trustist.apiUrl, { latencyMs: 200 })]);
    const total = 40;
    const killAfter = 20;
    const victim = stack.workers[0]!;
    const plan = Array.from({ length: total }, (_, index) => ({ apiUrl: apiUrls[index % 2]!, body: chaosPaymentBody(index % 4 < 2 ? 'turnstay' : 'trustist', TEST_CARDS.frictionless, 20_000 + index) }));
    const answered: { id: string; apiUrl: string; status: number }[] = [];
    let started = 0;
    let killedAt = 0;
    let killing: Promise<void> | undefined;
    await inParallel(plan, 8, async ({ apiUrl, body }) => {
      started += 1;
      if (started === killAfter) {
        killedAt = Date.now();
        killing = stack.kill(victim);
      }
      const response = await postPayment(apiUrl, body);
      answered.push({ id: `payment-merchant1-${body.reference}`, apiUrl, status: response.status });
    });
    await killing;
    expect(victim.process.signalCode).toBe('SIGKILL');
    // Every request was accepted, half by each API instance (each held its card in its own vault).
    expect(answered.filter((answer) => answer.status !== 201)).toEqual([]);
    expect(apiUrls.map((url) => answered.filter((answer) => answer.apiUrl === url).length)).toEqual([total / 2, total / 2]);

    const outcomes = await Promise.all(answered.map((answer) => waitForFinishedPayment(stack.apiUrl, answer.id, 120_000)));
    const ledger = movementsByReference([...(await wholeLedger(stack.turnstay.apiUrl)), ...(await wholeLedger(stack.trustist.apiUrl))]);
    const wrong = outcomes
      .map(({ payment }: { payment: PaymentBody }) => ({ id: payment.id, status: payment.status, charges: ledger.get(payment.id)?.charges ?? 0 }))
      .filter((entry) => entry.status !== 'COMPLETE' || entry.charges !== 1);
    expect(wrong).toEqual([]);

    // Both workers ran workflow tasks: the identities that completed them, read from the histories.
    const identities = new Set<string>();
    for (const answer of answered) {
      const history = await stack.client.workflow.getHandle(answer.id).fetchHistory();
      for (const event of history.events ?? []) {
        if (event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED && event.workflowTaskCompletedEventAttributes?.identity) {
          identities.add(event.workflowTaskCompletedEventAttributes.identity);
        }
      }
    }
    const workerPids = stack.workers.map((worker) => String(worker.process.pid));
    expect(workerPids.filter((pid) => [...identities].some((identity) => identity.startsWith(`${pid}@`)))).toEqual(workerPids);

    rows.push({
      scenario: 'two workers + two API instances, one worker SIGKILLed',
      started: total,
      finished: outcomes.length,
      chargedTwice: outcomes.filter(({ payment }) => (ledger.get(payment.id)?.charges ?? 0) > 1).length,
      stuck: 0,
      recoverySeconds: seconds(killedAt, Math.max(...outcomes.map((outcome) => outcome.at))),
      notes: `${total / 2} payments through each API instance, both workers ran workflow tasks (${identities.size} identities), kill after ${killAfter} started (8 concurrent, 200 ms provider latency)`,
    });
    await Promise.all([setSandboxFaults(stack.turnstay.apiUrl, {}), setSandboxFaults(stack.trustist.apiUrl, {})]);
  }, 240_000);
});
