import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * Card fields that must never reach a log line, whatever object carries them. Redaction is the safety net;
 * the first line of defence is that card data is never passed to a logger at all.
 */
const CARD_FIELDS = [
  'card', 'cardDetails', 'card_number', 'cardNumber', 'number', 'pan', 'cvc', 'cvv', 'expiry', 'expiryMonth',
  'expiryYear', 'expiry_month', 'expiry_year', 'exp_month', 'exp_year', 'cardholder_name', 'cardholderName',
];
const SECRET_FIELDS = ['authorization', 'Authorization', 'apiKey', 'api_key', 'secret', 'client_secret', 'password'];

export const REDACTED_PATHS = [...CARD_FIELDS, ...SECRET_FIELDS].flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `req.headers.${field.toLowerCase()}`,
]);

export function createLogger(name: string, options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      name,
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}
