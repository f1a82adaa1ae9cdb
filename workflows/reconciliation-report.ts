import type { ReconciliationDifference, ReconciliationReport } from './reconciliation-types';

const cell = (value: string | undefined) => (value ?? '—').replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The run's report as a Markdown table: one row per difference, with what the sweep did about it. */
export function reportMarkdown(report: Omit<ReconciliationReport, 'markdown'>): string {
  const lines = [
    `## Reconciliation ${report.startedAt}`,
    '',
    `Task queue \`${report.paymentTaskQueue}\`; payments since ${report.comparedFrom} and overdue ones: ${report.paymentsChecked} checked, ` +
      `${report.providerPaymentsListed} listed by the providers, ${report.differences.length} difference${report.differences.length === 1 ? '' : 's'}.`,
    '',
  ];
  if (report.resolved?.length) lines.push(`Resolved since an earlier run (agree with the provider again): ${report.resolved.join(', ')}.`, '');
  if (report.differences.length === 0) return [...lines, 'No differences.'].join('\n');
  lines.push('| Provider | Payment | Provider id | Here | Provider | Difference | Action |', '|---|---|---|---|---|---|---|');
  for (const difference of report.differences) lines.push(row(difference));
  return lines.join('\n');
}

function row(difference: ReconciliationDifference): string {
  return `| ${[difference.provider, difference.workflowId, difference.providerPaymentId, difference.ours, difference.theirs, difference.reason, difference.action].map(cell).join(' | ')} |`;
}
