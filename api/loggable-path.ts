/**
 * A request path fit for logs: the Trustist webhook URL carries its secret in the path, and a client may put a
 * card number in one (e.g. as a payment reference), so runs of 12 to 19 digits are masked as in error logs.
 */
export function loggablePath(path: string): string {
  return path.replace(/^\/webhooks\/trustist\/.*/, '/webhooks/trustist/[secret]').replace(/\d{12,19}/g, '[digits]');
}
