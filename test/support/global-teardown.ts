import type { RunningDevServer } from '../../infra/temporal-dev-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __temporalDevServer?: RunningDevServer }).__temporalDevServer?.stop();
}
