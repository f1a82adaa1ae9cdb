import { round } from './proc-stats';

/**
 * The Temporal server's own count of the operations it ran on its store (its `persistence_requests` counter, summed
 * over services and namespaces), per payment or charge of a window: the workflow writes a payment costs, the history
 * reads its workflow tasks cost, and any read the server makes for its own settings.
 */
export interface StoreOperationsPerUnit {
  total: number;
  /** Operations at 0.05 per unit or more, most first. */
  byOperation: Record<string, number>;
}

/** The counter by operation now; undefined when the server does not answer (the figures are left out, not faked). */
export async function readStoreOperations(metricsUrl: string): Promise<Map<string, number> | undefined> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return undefined;
    const counts = new Map<string, number>();
    for (const match of (await response.text()).matchAll(/^persistence_requests\{([^}]*)\} (\S+)$/gm)) {
      const operation = /operation="([^"]+)"/.exec(match[1] as string)?.[1];
      if (operation) counts.set(operation, (counts.get(operation) ?? 0) + Number(match[2]));
    }
    return counts;
  } catch {
    return undefined;
  }
}

/** Store operations between two readings, per unit (the server publishes its counters about once a second). */
export function storeOperationsPerUnit(before: Map<string, number> | undefined, after: Map<string, number> | undefined, units: number): StoreOperationsPerUnit | undefined {
  if (!before || !after || units <= 0) return undefined;
  const perUnit = [...after].map(([operation, count]) => [operation, (count - (before.get(operation) ?? 0)) / units] as const);
  const shown = perUnit.filter(([, value]) => value >= 0.05).sort((a, b) => b[1] - a[1]);
  return {
    total: round(perUnit.reduce((sum, [, value]) => sum + value, 0)),
    byOperation: Object.fromEntries(shown.map(([operation, value]) => [operation, round(value)])),
  };
}

/** The three largest, for a log line or a table cell: `11.2 (UpdateWorkflowExecution 7.7, ReadHistoryBranch 3.1, …)`. */
export function describeStoreOperations(operations: StoreOperationsPerUnit): string {
  const top = Object.entries(operations.byOperation).slice(0, 3).map(([operation, value]) => `${operation} ${value}`);
  return `${operations.total} (${top.join(', ')}${Object.keys(operations.byOperation).length > 3 ? ', …' : ''})`;
}
