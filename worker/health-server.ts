import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WorkerReadiness } from './worker-readiness';

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The worker's probes: /health (the process answers) and /ready (connected to Temporal and polling every queue).
 * A listener of its own: a worker serves no other HTTP.
 */
export function startHealthServer(options: { host: string; port: number; readiness: () => Promise<WorkerReadiness> }): Promise<HealthServer> {
  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    const path = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET') return answer(405, { error: { code: 'method_not_allowed', message: 'only GET', field: 'method' } });
    if (path === '/health') return answer(200, { status: 'ok' });
    if (path === '/ready') {
      options.readiness().then(
        (readiness) => answer(readiness.ready ? 200 : 503, { status: readiness.ready ? 'ready' : 'not_ready', temporal: readiness.temporal, queues: readiness.queues }),
        () => answer(503, { status: 'not_ready' }),
      );
      return;
    }
    answer(404, { error: { code: 'route_not_found', message: `no route GET ${path}`, field: 'path' } });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${options.host}:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
