import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseTopology } from '../../infra/temporal-topology';
import { callApi, paymentBody, type PaymentBody } from '../support/merchant-client';
import { pause } from '../support/wait-until';

/** All live descendants of a process, read from /proc (Linux). */
function descendants(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may contain spaces, so split after its ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we read.
    }
  }
  const found: number[] = [];
  const frontier = [rootPid];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const [pid, ppid] of parentOf) {
      if (ppid === parent && !found.includes(pid)) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'; // a zombie has exited
  } catch {
    return false;
  }
}

/** `npm start` on the dev server; on the cluster run, `npm run start:cluster` (PostgreSQL, server, UI). */
const topology = parseTopology(process.env.TEST_TOPOLOGY);
const command = topology === 'dev' ? ['start'] : ['run', 'start:cluster'];
const temporalProcesses = topology === 'dev' ? ['server start-dev'] : ['temporal-server', 'temporal-ui-server', 'postgres'];

describe(`npm ${command.join(' ')}`, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dp-start-'));
  // The cluster's PostgreSQL runs as the postgres user, which must reach its data folder inside this one.
  chmodSync(dataDir, 0o755);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('brings up Temporal + Web UI, sandboxes, worker and API; a payment is found in the Web UI by PaymentStatus; Ctrl-C (SIGINT) leaves no process behind', async () => {
    const child = spawn('npm', command, {
      cwd: resolve(__dirname, '../..'),
      // Free ports, so this runs beside a developer's own `npm start`.
      env: { ...process.env, DATA_DIR: dataDir, API_PORT: '0', TEMPORAL_PORT: '0', TEMPORAL_UI_PORT: '0', WORKER_HEALTH_PORT: '0', TURNSTAY_PORT: '0', TURNSTAY_SCS_PORT: '0', TRUSTIST_PORT: '0', WORKER_METRICS_PORT: '0', EVENT_RECEIVER_PORT: '0' },
      detached: true, // its own process group, as a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += String(chunk)));
    child.stderr.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<string>((done) => child.once('exit', (code, signal) => done(signal ?? `code ${code}`)));

    const deadline = Date.now() + 120_000;
    while (!output.includes('Press Ctrl-C') && Date.now() < deadline && child.exitCode === null) await pause(200);
    if (!output.includes('Everything is running')) throw new Error(`npm start did not come up (exit ${child.exitCode}):\n${output.slice(-3000)}`);

    const apiUrl = /API\s+(http:\/\/\S+)/.exec(output)?.[1];
    const uiUrl = /Temporal Web UI\s+(http:\/\/\S+)/.exec(output)?.[1];
    expect(apiUrl).toBeDefined();
    expect(uiUrl).toBeDefined();
    expect(await (await fetch(`${apiUrl}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${apiUrl}/ready`)).status).toBe(200);
    const workerHealthUrl = /Worker health\s+(http:\/\/\S+)\/health/.exec(output)?.[1];
    expect((await fetch(`${workerHealthUrl}/ready`)).status).toBe(200);
    const metricsUrls = /Metrics\s+(\S+) \(API\), (\S+) \(worker\)/.exec(output)?.slice(1) ?? [];
    expect(await Promise.all(metricsUrls.map(async (url) => (await fetch(url)).status))).toEqual([200, 200]);
    const ui = await fetch(uiUrl as string);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);
    expect((await fetch(`${apiUrl}/demo`)).status).toBe(200);

    // A merchant's payment, then the Web UI's own API finds it by its status search attribute (eventually consistent).
    const merchantKey = /Merchant API key\s+(\S+)/.exec(output)?.[1];
    const paid = await callApi<PaymentBody>(apiUrl as string, 'POST', '/v1/payments', { body: paymentBody('turnstay'), key: merchantKey });
    expect([paid.status, paid.body.status]).toEqual([201, 'COMPLETE']);
    // The TurnStay document's own example, as written (ZAR): the local account settles in it, at the sandbox and as a
    // hosted-form payment through the API.
    const turnstayUrl = /TurnStay sandbox\s+(http:\/\/\S+)/.exec(output)?.[1];
    const documentExample = await fetch(`${turnstayUrl}/api/v1/payments/intent`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk_test_sandbox', 'content-type': 'application/json' },
      body: JSON.stringify({
        account_id: 1001, billing_amount: 10000, billing_currency: 'ZAR', checkin_date: '2026-12-12',
        customer_phone_number: '+27123456789', customer_email: 'test@example.com', payment_type: 'Virtual Card',
      }),
    });
    expect(documentExample.status).toBe(200);
    const hosted = await callApi<PaymentBody>(apiUrl as string, 'POST', '/v1/payments', {
      body: {
        provider: 'turnstay', method: 'hosted_form', amountMinor: 10000, currency: 'ZAR', reference: `doc-example-${Date.now()}`,
        payer: { email: 'test@example.com', phone: '+27123456789' }, stay: { checkinDate: '2026-12-12' },
      },
      key: merchantKey,
    });
    expect([hosted.status, hosted.body.status, hosted.body.nextAction?.url.startsWith(turnstayUrl!.replace(/:\d+$/, ''))]).toEqual([201, 'PENDING_ACTION', true]);
    const query = encodeURIComponent(`PaymentStatus="COMPLETE" AND WorkflowId="${paid.body.id}"`);
    const foundDeadline = Date.now() + 30_000;
    let listed: { executions?: { execution?: { workflowId?: string } }[] } = {};
    while (!listed.executions?.length && Date.now() < foundDeadline) {
      listed = (await (await fetch(`${uiUrl}/api/v1/namespaces/default/workflows?query=${query}`)).json()) as typeof listed;
      if (!listed.executions?.length) await pause(250);
    }
    expect(listed.executions?.map((entry) => entry.execution?.workflowId)).toEqual([paid.body.id]);
    // The sample receiver verified the payment's event and printed it.
    expect(output).toMatch(/Event receiver\s+http:\/\/127\.0\.0\.1:\d+\/events/);
    const eventDeadline = Date.now() + 30_000;
    while (!output.includes(`[events] payment.completed ${paid.body.id} COMPLETE`) && Date.now() < eventDeadline) await pause(200);
    expect(output).toContain(`[events] payment.completed ${paid.body.id} COMPLETE (sequence 1`);

    // The worker created the reconciliation Schedule, and the operator page answers with the printed operator key.
    const scheduleDeadline = Date.now() + 30_000;
    let schedules: { schedules?: { scheduleId?: string }[] } = {};
    while (!schedules.schedules?.some((entry) => entry.scheduleId === 'reconciliation-payments') && Date.now() < scheduleDeadline) {
      schedules = (await (await fetch(`${uiUrl}/api/v1/namespaces/default/schedules`)).json()) as typeof schedules;
      await pause(250);
    }
    expect(schedules.schedules?.map((entry) => entry.scheduleId)).toContain('reconciliation-payments');
    const operatorKey = /Operator key\s+(\S+)/.exec(output)?.[1];
    const opsPage = await fetch(`${apiUrl}/ops`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect([opsPage.status, await opsPage.text()]).toEqual([200, expect.stringContaining('Payments operations')]);

    const processes = descendants(child.pid as number);
    const commands = processes.map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    });
    for (const part of [...temporalProcesses, 'worker/main.ts', 'api/main.ts']) expect([part, commands.some((line) => line.includes(part))]).toEqual([part, true]);

    process.kill(-(child.pid as number), 'SIGINT');
    // npm itself dies of the SIGINT, as at a terminal; the supervisor under it stops every part in order.
    expect(['SIGINT', 'code 0', 'code 130']).toContain(await exited);
    const stopDeadline = Date.now() + 15_000;
    while (processes.some(alive) && Date.now() < stopDeadline) await pause(200);
    expect(processes.filter(alive)).toEqual([]);
    const outputDeadline = Date.now() + 5_000;
    while (!output.includes('[start] stopped') && Date.now() < outputDeadline) await pause(100);
    expect(output).toContain('[start] stopped');
  }, 150_000);
});
