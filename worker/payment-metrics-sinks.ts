import type { InjectedSinks } from '@temporalio/worker';
import { paymentsFinished, paymentsStarted } from '../infra/observability/metrics';
import type { PaymentMetricsSinks } from '../workflows/payment-metrics';

/** Where the payment workflows' counts land: this worker's prom-client counters (never during replay). */
export const paymentMetricsSinks: InjectedSinks<PaymentMetricsSinks> = {
  paymentMetrics: {
    started: { fn: (_info, provider) => paymentsStarted.inc({ provider }), callDuringReplay: false },
    finished: { fn: (_info, provider, status) => paymentsFinished.inc({ provider, status }), callDuringReplay: false },
  },
};
