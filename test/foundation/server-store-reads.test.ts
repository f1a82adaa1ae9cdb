import { readStoreOperations } from '../../bench/server-store-operations';
import { startApiStack, type ApiStack } from '../support/api-stack';
import { createPayment, paymentBody } from '../support/merchant-client';
import { waitUntil } from '../support/wait-until';

const PAYMENTS = 5;

/**
 * The Temporal server reads its store for the workflows it runs, not for its own settings on every request: the CLI's
 * dev server, left to its defaults, re-read the cluster's search-attribute definitions (and a namespace) from SQLite
 * on each read of them: 25 and 12 queries per payment on its one SQLite connection. Both topologies are held to it.
 */
describe('server store reads per payment', () => {
  let stack: ApiStack;
  beforeAll(async () => {
    stack = await startApiStack();
  });
  afterAll(() => stack?.close());

  test('a payment costs workflow writes, and no read of the cluster metadata', async () => {
    const before = await storeOperations();
    for (let index = 0; index < PAYMENTS; index += 1) {
      expect((await createPayment(stack.baseUrl, paymentBody('turnstay'))).body.status).toBe('COMPLETE');
    }
    // Positive control: the counters are read, and these payments moved them once the server has published its counts.
    const after = await waitUntil('the server counting the payments\' workflow writes', async () => {
      const now = await storeOperations();
      return (now.get('UpdateWorkflowExecution') ?? 0) - (before.get('UpdateWorkflowExecution') ?? 0) >= PAYMENTS ? now : undefined;
    }, 10_000);
    const during = (operation: string) => (after.get(operation) ?? 0) - (before.get(operation) ?? 0);
    // Other test files' payments run beside these; a periodic refresh (each minute, per service) may fall inside.
    expect(during('GetCurrentClusterMetadata')).toBeLessThan(PAYMENTS);
  });
});

/** The server's store operations so far, by operation (the bench's reading of its metrics). */
async function storeOperations(): Promise<Map<string, number>> {
  const url = process.env.TEST_TEMPORAL_METRICS_URL;
  if (!url) throw new Error('the jest global setup did not publish the server metrics URL');
  const counts = await readStoreOperations(url);
  if (!counts) throw new Error(`the server's metrics did not answer at ${url}`);
  return counts;
}
