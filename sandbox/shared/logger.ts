import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Card and secret fields redacted from every sandbox log line, whatever object carries them. Redaction is the
 * safety net only: sandbox code never hands card data to the logger (it logs brand + last4).
 */
const REDACTED_FIELDS = [
  'card_number', 'cardNumber', 'number', 'pan', 'cvc', 'cvv', 'expiry_month', 'expiry_year', 'expiryMonth',
  'expiryYear', 'cardholder_name', 'cardDetails', 'payment_method_token', 'authorization', 'client_secret',
  'clientSecret', 'key', 'secret', 'webhookSecret',
];

export const SANDBOX_REDACT_PATHS = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

/** Default level: SANDBOX_LOG_LEVEL, else LOG_LEVEL, else silent under jest and info elsewhere. */
export function defaultSandboxLogLevel(env: NodeJS.ProcessEnv = process.env): string {
  return env.SANDBOX_LOG_LEVEL ?? env.LOG_LEVEL ?? (env.JEST_WORKER_ID ? 'silent' : 'info');
}

export function createSandboxLogger(name: string, options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    { name, level: options.level ?? defaultSandboxLogLevel(), redact: { paths: SANDBOX_REDACT_PATHS, censor: '[redacted]' } },
    options.destination,
  );
}
