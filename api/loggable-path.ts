/** A request path fit for logs: the Trustist webhook URL carries its secret in the path. */
export function loggablePath(path: string): string {
  return path.replace(/^\/webhooks\/trustist\/.*/, '/webhooks/trustist/[secret]');
}
