import type { Server } from 'node:http';
import { hashApiKey } from '../../api/key-hash';
import { startApiWithoutTemporal } from '../support/api-without-temporal';

const OPERATOR_KEY = 'ok_test_operator_sessions_0123456789';
const SESSION_SECRET = 'operator-session-secret-for-tests-0123456789';

/**
 * Operator sessions are signed with OPERATOR_SESSION_SECRET, so one API replica (or the same API after a restart)
 * accepts the session another issued. The codec routes need no Temporal, so these API instances run without it.
 */
describe('operator sessions', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });

  async function startApi(options: { operatorSessionSecret?: string; trustProxy?: string } = {}): Promise<string> {
    const api = await startApiWithoutTemporal({ operatorKeyHashes: [hashApiKey(OPERATOR_KEY)], ...options });
    servers.push(api.server);
    return api.baseUrl;
  }

  const signIn = (baseUrl: string, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}/ops/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: `key=${OPERATOR_KEY}`,
    });
  const sessionCookie = (response: Response) => (response.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const decodeWith = (baseUrl: string, cookie: string) =>
    fetch(`${baseUrl}/codec/decode`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify({ payloads: [] }) });

  test('a session from one replica works on another with the same secret, and on a restarted one; not with another secret', async () => {
    const replicaA = await startApi({ operatorSessionSecret: SESSION_SECRET });
    const replicaB = await startApi({ operatorSessionSecret: SESSION_SECRET });
    const login = await signIn(replicaA);
    expect(login.status).toBe(200);
    const cookie = sessionCookie(login);
    expect(cookie).toMatch(/^dp_operator_session=/);
    expect((await decodeWith(replicaA, cookie)).status).toBe(200);
    expect((await decodeWith(replicaB, cookie)).status).toBe(200);
    const restarted = await startApi({ operatorSessionSecret: SESSION_SECRET });
    expect((await decodeWith(restarted, cookie)).status).toBe(200);
    const otherSecret = await startApi({ operatorSessionSecret: 'a-different-operator-session-secret-000000' });
    expect((await decodeWith(otherSecret, cookie)).status).toBe(401);
  });

  test('the session cookie is Secure when the API is reached over HTTPS (behind a trusted proxy), and only then', async () => {
    const behindProxy = await startApi({ operatorSessionSecret: SESSION_SECRET, trustProxy: 'loopback' });
    const overHttps = await signIn(behindProxy, { 'x-forwarded-proto': 'https' });
    expect(overHttps.status).toBe(200);
    expect(overHttps.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    const overHttp = await signIn(behindProxy);
    expect(overHttp.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    expect(overHttp.headers.get('set-cookie')).toMatch(/HttpOnly/i);
  });
});
