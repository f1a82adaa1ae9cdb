/** Public API of the provider sandboxes (faithful simulators of TurnStay and Trustist for tests, demos, benchmarks). */
export { startTurnstaySandbox } from './turnstay/sandbox';
export type { TurnstaySandboxOptions, RunningTurnstaySandbox } from './turnstay/sandbox';
export { startTrustistSandbox, DEFAULT_TRUSTIST_CREDENTIALS } from './trustist/sandbox';
export type { TrustistSandboxOptions, RunningTrustistSandbox } from './trustist/sandbox';
export type { WebhookRetryOptions, WebhookModeConfig } from './shared/webhook-dispatcher';
export type { FaultConfig } from './shared/faults';
export type { LedgerEntry } from './shared/ledger';
export { TEST_CARDS } from './shared/test-cards';
export { computeSignature as computeTurnstaySignature, SIGNATURE_HEADER as TURNSTAY_SIGNATURE_HEADER } from './turnstay/signature';
export { ADMIN_PREFIX } from './shared/admin';
