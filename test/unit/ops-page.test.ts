import { renderOpsPage } from '../../api/ops-page';

/** Webhook fields come from unauthenticated senders (Trustist's are unsigned): the page must show them as text. */
describe('operator page rendering', () => {
  const now = new Date('2026-12-02T12:00:00Z');

  test('values from webhooks and providers are escaped, never markup', () => {
    const html = renderOpsPage({
      namespace: 'default',
      webUiUrl: 'http://127.0.0.1:8233',
      unmatchedWebhooks: [{ provider: 'trustist', eventId: 'e1', reference: '<script>alert(1)</script>', status: '"><img src=x>', receivedAt: now.toISOString(), reason: 'no running payment' }],
      waitingLongest: [],
      now,
    });
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('"><img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  test('waiting payments link into the Web UI, oldest first as given, with how long they wait', () => {
    const html = renderOpsPage({
      namespace: 'payments ns',
      webUiUrl: 'http://ui.example/',
      unmatchedWebhooks: [],
      waitingLongest: [{ workflowId: 'payment-m-order-1', status: 'PENDING_ACTION', provider: 'turnstay', startedAt: '2026-12-02T09:00:00Z', reconStatus: 'RECHECKING' }],
      now,
    });
    expect(html).toContain('<a href="http://ui.example/namespaces/payments%20ns/workflows/payment-m-order-1">payment-m-order-1</a>');
    expect(html).toMatch(/<td>3 h<\/td><td>RECHECKING<\/td>/);
    expect(html).toContain('No reconciliation run has finished yet.');
    expect(html).toContain('No unmatched webhooks.');
  });
});
