import { charges } from '../support/sandbox-client';
import { recordChaosRows, type ChaosRow } from './support/chaos-report';
import { chaosPaymentBody, postPayment, seconds, setSandboxFaults, waitForHeldRequest } from './support/chaos-helpers';
import { waitUntil } from '../support/wait-until';
import { ProcessStack } from './support/process-stack';

const CREATE_PATH = '/api/v1/payments/intent';
const IN_FLIGHT = 10;

/**
 * Issue 13, section 4: the API is stopped the polite way (SIGTERM, as a deploy or `npm start`'s Ctrl-C does) while
 * payments are in flight. It stops taking connections, lets the in-flight requests finish, and only then stops the
 * card-vault worker that holds their cards.
 */
describe('API graceful shutdown', () => {
  let stack: ProcessStack;
  const rows: ChaosRow[] = [];

  beforeAll(async () => {
    stack = await ProcessStack.start({ statusPollDelaysMs: [60_000] });
    await Promise.all([stack.startWorker(), stack.startApi()]);
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    if (rows.length > 0) await recordChaosRows(rows);
  });

  test(`SIGTERM with ${IN_FLIGHT} payments in flight: all ${IN_FLIGHT} answered COMPLETE, ${IN_FLIGHT} charges; new connections refused`, async () => {
    const turnstay = stack.turnstay.apiUrl;
    // Every provider call takes 3 s. The signal lands while the payments are being created at the provider: their
    // cards are in the API's vault and the card submissions are not even scheduled yet.
    await setSandboxFaults(turnstay, { latencyMs: 3_000 });
    const bodies = Array.from({ length: IN_FLIGHT }, () => chaosPaymentBody('turnstay'));
    const answers = Promise.all(bodies.map((body) => postPayment(stack.apiUrl, body)));
    await waitForHeldRequest(turnstay, (request) => request.method === 'POST' && request.path === CREATE_PATH, IN_FLIGHT - 1, 60_000);

    const terminatedAt = Date.now();
    const api = stack.api!;
    const exited = stack.terminate(api);
    // A request that reaches the process before it handles the signal is served, rightly: probe once it is draining.
    await waitUntil('the API to start draining', async () => (api.output.join('').includes('api stopping') ? true : undefined), 10_000, 20);
    const refused = await postPayment(stack.apiUrl, chaosPaymentBody('turnstay'));
    const responses = await answers;
    const exit = await exited;
    await setSandboxFaults(turnstay, {});

    expect(responses.map((response) => response.status)).toEqual(bodies.map(() => 201));
    expect(responses.map((response) => ('error' in response ? response.error : response.body.status))).toEqual(bodies.map(() => 'COMPLETE'));
    for (const body of bodies) expect(await charges(turnstay, `payment-merchant1-${body.reference}`)).toHaveLength(1);
    expect(refused.status).toBe(0);
    expect(exit).toEqual({ code: 0, signal: null });

    rows.push({
      scenario: `API SIGTERM with ${IN_FLIGHT} payments in flight (being created at the provider)`,
      started: IN_FLIGHT,
      finished: responses.filter((response) => response.status === 201).length,
      chargedTwice: 0,
      stuck: 0,
      recoverySeconds: seconds(terminatedAt, Date.now()),
      notes: 'HTTP drained first (new connections refused), then the card-vault worker stopped: all answered 201 COMPLETE, 1 ledger charge each; recovery = time to a clean exit',
    });
  }, 180_000);
});
