import type { UnmatchedWebhook } from '../workflows/webhook-inbox';
import type { LatestReport } from './reconciliation-reports';

export interface WaitingPayment {
  workflowId: string;
  status: string;
  provider: string;
  startedAt: string;
  reconStatus?: string;
}

export interface OpsPageData {
  namespace: string;
  /** Web UI base URL (links), absent when the UI's address is unknown. */
  webUiUrl?: string;
  latest?: LatestReport;
  unmatchedWebhooks: UnmatchedWebhook[];
  waitingLongest: WaitingPayment[];
  now: Date;
}

const escapeHtml = (value: unknown) =>
  String(value ?? '—').replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string);

function workflowLink(data: OpsPageData, workflowId: string | undefined, runId?: string): string {
  if (!workflowId) return '—';
  if (!data.webUiUrl) return `<code>${escapeHtml(workflowId)}</code>`;
  const url = `${data.webUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(data.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${encodeURIComponent(runId)}` : ''}`;
  return `<a href="${escapeHtml(url)}">${escapeHtml(workflowId)}</a>`;
}

function table(headers: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  return `<table><thead><tr>${headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell) => `<td>${cell}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function minutesSince(iso: string, now: Date): string {
  const minutes = Math.floor((now.getTime() - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'under 1 min';
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h`;
}

/** The operator page: what needs a person, without opening the Web UI (links lead there for each item). */
export function renderOpsPage(data: OpsPageData): string {
  const report = data.latest?.report;
  const reconciliation = report
    ? `<p id="recon-summary">Run ${workflowLink(data, data.latest?.workflowId, data.latest?.runId)} at ${escapeHtml(report.startedAt)}: ${report.paymentsChecked} payments checked, ` +
      `${report.providerPaymentsListed} provider payments listed, ${report.differences.length} difference${report.differences.length === 1 ? '' : 's'}. <a href="/ops/reconciliation/latest?format=markdown">Markdown</a> · <a href="/ops/reconciliation/latest">JSON</a></p>` +
      table(
        ['Provider', 'Payment', 'Provider id', 'Here', 'Provider', 'Difference', 'Action'],
        report.differences.map((difference) => [
          escapeHtml(difference.provider),
          workflowLink(data, difference.workflowId),
          escapeHtml(difference.providerPaymentId),
          escapeHtml(difference.ours),
          escapeHtml(difference.theirs),
          escapeHtml(difference.reason),
          escapeHtml(difference.action),
        ]),
        'No differences.',
      )
    : '<p class="empty">No reconciliation run has finished yet.</p>';
  const inbox = table(
    ['Provider', 'Event', 'Reference', 'Status', 'Received', 'Why unmatched'],
    data.unmatchedWebhooks.map((event) => [event.provider, event.eventId, event.reference, event.status, event.receivedAt, event.reason].map(escapeHtml)),
    'No unmatched webhooks.',
  );
  const waiting = table(
    ['Payment', 'Status', 'Provider', 'Waiting', 'Reconciliation'],
    data.waitingLongest.map((payment) => [
      workflowLink(data, payment.workflowId),
      escapeHtml(payment.status),
      escapeHtml(payment.provider),
      escapeHtml(minutesSince(payment.startedAt, data.now)),
      escapeHtml(payment.reconStatus),
    ]),
    'No payment is waiting.',
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payments operations</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse;margin:.5rem 0 1.5rem}
th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;font-size:.9rem}th{background:#f3f3f3}.empty{color:#666}</style></head>
<body><h1>Payments operations</h1>
<section id="reconciliation"><h2>Latest reconciliation</h2>${reconciliation}</section>
<section id="webhook-inbox"><h2>Unmatched webhooks</h2>${inbox}</section>
<section id="waiting-longest"><h2>Payments waiting longest</h2>${waiting}</section>
</body></html>`;
}
