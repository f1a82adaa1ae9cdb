import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeStoreOperations, readStoreOperations, storeOperationsPerUnit } from '../../bench/server-store-operations';

const METRICS = [
  '# HELP persistence_requests persistence_requests counter',
  'persistence_requests{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 70',
  'persistence_requests{namespace="system",operation="GetCurrentClusterMetadata",service_name="history"} 250',
  'persistence_requests{namespace="system",operation="GetCurrentClusterMetadata",service_name="frontend"} 50',
  'persistence_latency_count{namespace="default",operation="UpdateWorkflowExecution",service_name="history"} 999',
  '',
].join('\n');

describe('bench: the server\'s store operations, from its metrics', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_, response) => response.end(METRICS));
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  test('the counter by operation, summed over services and namespaces; other metrics are not counted', async () => {
    expect(await readStoreOperations(url)).toEqual(new Map([['UpdateWorkflowExecution', 70], ['GetCurrentClusterMetadata', 300]]));
  });

  test('a server that does not answer gives no figures, not zeros', async () => {
    server.close();
    expect(await readStoreOperations(url)).toBeUndefined();
    expect(storeOperationsPerUnit(undefined, new Map([['UpdateWorkflowExecution', 70]]), 10)).toBeUndefined();
  });

  test('per unit between two readings, the largest first, the rare left out of the list but in the total', () => {
    const before = new Map([['UpdateWorkflowExecution', 10], ['GetCurrentClusterMetadata', 0]]);
    const after = new Map([['UpdateWorkflowExecution', 80], ['GetCurrentClusterMetadata', 250], ['ReadHistoryBranch', 30], ['GetTasks', 0.4], ['RangeCompleteTimerTasks', 0.4]]);
    const perUnit = storeOperationsPerUnit(before, after, 10);
    expect(perUnit).toEqual({ total: 35.1, byOperation: { GetCurrentClusterMetadata: 25, UpdateWorkflowExecution: 7, ReadHistoryBranch: 3 } });
    expect(describeStoreOperations(perUnit!)).toBe('35.1 (GetCurrentClusterMetadata 25, UpdateWorkflowExecution 7, ReadHistoryBranch 3)');
    expect(storeOperationsPerUnit(before, after, 0)).toBeUndefined();
  });
});
