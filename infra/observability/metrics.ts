import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * This process's own metrics (prom-client), beside the Temporal SDK's (see sdk-metrics.ts). Labels are bounded sets
 * only: provider, operation, status, route pattern, reason. Never a payment id, reference, merchant or card value.
 */
export const metricsRegistry = new Registry();

const SECONDS_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequestDuration = new Histogram({
  name: 'payments_http_request_duration_seconds',
  help: 'API requests by method, route pattern and status code (the _count is the number of requests)',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [metricsRegistry],
});

export const paymentsStarted = new Counter({
  name: 'payments_started_total',
  help: 'Payment workflows started, by provider (counted by the worker that ran their first task)',
  labelNames: ['provider'] as const,
  registers: [metricsRegistry],
});

export const paymentsFinished = new Counter({
  name: 'payments_finished_total',
  help: 'Payments that reached their outcome (COMPLETE, DECLINED, FAILED, EXPIRED, CANCELLED, or REFUNDED before completing), by provider and status',
  labelNames: ['provider', 'status'] as const,
  registers: [metricsRegistry],
});

export const firstOutcomeDuration = new Histogram({
  name: 'payments_first_outcome_seconds',
  help: 'Time from POST /v1/payments to its first outcome answered to the merchant, by provider and status',
  labelNames: ['provider', 'status'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [metricsRegistry],
});

export const providerCallDuration = new Histogram({
  name: 'payments_provider_call_duration_seconds',
  help: 'Calls to a provider by provider, operation and result (ok or error)',
  labelNames: ['provider', 'operation', 'result'] as const,
  buckets: SECONDS_BUCKETS,
  registers: [metricsRegistry],
});

export const providerCallErrors = new Counter({
  name: 'payments_provider_call_errors_total',
  help: 'Provider calls that threw, by provider, operation and error type (a failure type, or "transient" for a retried fault)',
  labelNames: ['provider', 'operation', 'type'] as const,
  registers: [metricsRegistry],
});

export const webhookVerificationsRefused = new Counter({
  name: 'payments_webhook_verifications_refused_total',
  help: 'Provider webhooks refused before parsing (bad, stale or missing signature; wrong secret URL), by provider and reason',
  labelNames: ['provider', 'reason'] as const,
  registers: [metricsRegistry],
});

export const cardVaultPickupsMissed = new Counter({
  name: 'payments_card_vault_pickups_missed_total',
  help: 'Card-vault activities that found no card in this process (the card must be re-submitted or handed over)',
  labelNames: ['activity'] as const,
  registers: [metricsRegistry],
});

/** Gauges read from Temporal visibility at scrape time (api/reservation-counts.ts): the same value on every API replica. */
export function reservationGauges(read: () => Promise<{ asleep: number; chargesDue: number }>): void {
  let pending: Promise<{ asleep: number; chargesDue: number }> | undefined;
  // Both gauges come from one read per scrape.
  const shared = () => (pending ??= read().finally(() => setTimeout(() => (pending = undefined), 0)));
  new Gauge({
    name: 'payments_reservations_asleep',
    help: 'Open reservations sleeping until a charge falls due (SCHEDULED, RETRY_SCHEDULED, PARTIALLY_PAID), from Temporal visibility',
    registers: [metricsRegistry],
    async collect() {
      this.set((await shared()).asleep);
    },
  });
  new Gauge({
    name: 'payments_reservation_charges_due',
    help: 'Reservation charges that fell due and are being taken (CHARGING, or the charge\'s payment created ahead past its start delay and not yet at the provider), from Temporal visibility',
    registers: [metricsRegistry],
    async collect() {
      this.set((await shared()).chargesDue);
    },
  });
}
