/**
 * A request path fit for logs: a provider that signs nothing (Trustist) gets its webhooks at
 * /webhooks/<provider>/<secret>, so whatever follows a provider's webhook path is masked; and a client may put a
 * card number in a path (e.g. as a payment reference), so runs of 12 to 19 digits are masked as in error logs.
 */
export function loggablePath(path: string): string {
  return path.replace(/^(\/webhooks\/[^/]*)\/.*/, '$1/[secret]').replace(/\d{12,19}/g, '[digits]');
}
