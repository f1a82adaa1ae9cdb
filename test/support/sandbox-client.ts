/** The sandboxes' admin surface (sandbox/README.md), as tests use it to arrange faults and read the ledger. */
export interface LedgerEntry {
  type: 'charge' | 'refund';
  reference: string;
  paymentId: string;
  amountMinor: number;
  currency: string;
}

export async function ledger(sandboxUrl: string, reference: string): Promise<LedgerEntry[]> {
  const response = await fetch(`${sandboxUrl}/__sandbox/ledger?reference=${encodeURIComponent(reference)}`);
  if (!response.ok) throw new Error(`ledger answered ${response.status}`);
  return ((await response.json()) as { entries: LedgerEntry[] }).entries;
}

export async function charges(sandboxUrl: string, reference: string): Promise<LedgerEntry[]> {
  return (await ledger(sandboxUrl, reference)).filter((entry) => entry.type === 'charge');
}

export async function setFaults(sandboxUrl: string, faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandboxUrl}/__sandbox/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
  if (!response.ok) throw new Error(`faults answered ${response.status}: ${await response.text()}`);
}

export async function setWebhookMode(sandboxUrl: string, mode: 'deliver' | 'drop' | 'duplicate' | 'delay' | 'reorder', delayMs?: number): Promise<void> {
  const response = await fetch(`${sandboxUrl}/__sandbox/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mode, delayMs }) });
  if (!response.ok) throw new Error(`webhooks answered ${response.status}: ${await response.text()}`);
}

/** What the hosted page's buttons do: POST `<challenge path>/complete` with the page's query string. */
export async function completeChallenge(challengeUrl: string, outcome: 'authenticate' | 'fail'): Promise<void> {
  const url = new URL(challengeUrl);
  url.pathname = `${url.pathname.replace(/\/$/, '')}/complete`;
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome }) });
  if (!response.ok) throw new Error(`challenge completion answered ${response.status}: ${await response.text()}`);
}
