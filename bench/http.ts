import { Agent, request } from 'node:http';

/** Keep-alive connections, as a merchant backend would hold them; one socket per concurrent request at most. */
const agent = new Agent({ keepAlive: true, maxSockets: 1_024 });

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/** One JSON request over node:http (lighter than fetch: this process also hosts the sandboxes). */
export function requestJson<T = Record<string, unknown>>(
  method: 'GET' | 'POST',
  url: string,
  options: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<JsonResponse<T>> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: {
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          ...options.headers,
        },
        timeout: options.timeoutMs ?? 300_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text.length > 0 ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON: the caller sees the text.
          }
          resolve({ status: res.statusCode ?? 0, body: body as T });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${new URL(url).pathname} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
