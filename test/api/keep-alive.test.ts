import { connect, type Socket } from 'node:net';
import { startTurnstaySandbox, type RunningTurnstaySandbox } from '../../sandbox';
import { ProcessStack } from '../chaos/support/process-stack';
import { pause } from '../support/wait-until';

/**
 * A loaded client reused an idle connection in the instant the server closed it (Node's 5 s default) and the request
 * failed with ECONNRESET. The API process and the sandboxes keep idle connections open longer than any client does.
 */
describe('idle keep-alive connections outlive the clients’ own idle timeout', () => {
  let stack: ProcessStack;
  let sandbox: RunningTurnstaySandbox;

  beforeAll(async () => {
    [stack, sandbox] = await Promise.all([ProcessStack.start(), startTurnstaySandbox({})]);
    await stack.startApi();
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stack?.close(), sandbox?.close()]);
  });

  /** Two requests on one socket, idle `idleMs` between them; resolves with both status lines. */
  async function twoRequestsOneSocket(baseUrl: string, path: string, idleMs: number): Promise<string[]> {
    const { hostname, port } = new URL(baseUrl);
    const socket: Socket = connect(Number(port), hostname);
    let received = '';
    let closedAt: number | undefined;
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => (closedAt = Date.now()));
    const request = `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: keep-alive\r\n\r\n`;
    const statusLines = () => received.match(/HTTP\/1\.1 \d{3}/g) ?? [];
    const until = async (check: () => boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!check() && Date.now() < deadline) await pause(20);
    };
    socket.write(request);
    await until(() => statusLines().length === 1, 5_000);
    // The idle window itself is what is tested: a client's 4 s plus the slack a loaded machine adds.
    const idleUntil = Date.now() + idleMs;
    await until(() => closedAt !== undefined || Date.now() >= idleUntil, idleMs + 1_000);
    if (closedAt === undefined) socket.write(request);
    await until(() => statusLines().length === 2 || closedAt !== undefined, 5_000);
    socket.destroy();
    return statusLines();
  }

  test('the API process answers a second request on a connection idle for 6 s', async () => {
    expect(await twoRequestsOneSocket(stack.apiUrl, '/health', 6_000)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
  }, 30_000);

  test('a sandbox answers a second request on a connection idle for 6 s', async () => {
    expect(await twoRequestsOneSocket(sandbox.apiUrl, '/__sandbox/ledger', 6_000)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
  }, 30_000);
});
