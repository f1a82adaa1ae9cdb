/** `npm run sandbox`: both provider sandboxes standalone, configured from the environment (see sandbox/README.md). */
import { parseSandboxEnv, SandboxConfigError, sandboxOptionsFromEnv } from './config';
import { startTrustistSandbox, startTurnstaySandbox } from './index';
import { createSandboxLogger } from './shared/logger';

async function main(): Promise<void> {
  let env;
  try {
    env = parseSandboxEnv(process.env);
  } catch (error) {
    if (error instanceof SandboxConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const options = sandboxOptionsFromEnv(env);
  const turnstay = await startTurnstaySandbox({ ...options.turnstay, logger: createSandboxLogger('sandbox.turnstay') });
  const trustist = await startTrustistSandbox({ ...options.trustist, logger: createSandboxLogger('sandbox.trustist') });

  // Handlers first: a supervisor may signal as soon as it reads the URLs.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping sandboxes\n`);
    void Promise.all([turnstay.close(), trustist.close()]).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  process.stdout.write(
    [
      `TurnStay API      ${turnstay.apiUrl}   (Bearer ${env.TURNSTAY_SANDBOX_API_KEYS[0]}, account ${env.TURNSTAY_SANDBOX_ACCOUNT_ID} ${env.TURNSTAY_SANDBOX_ACCOUNT_CURRENCY})`,
      `TurnStay SCS      ${turnstay.scsUrl}`,
      `TurnStay webhooks ${env.TURNSTAY_SANDBOX_WEBHOOK_URL ?? '(none: set TURNSTAY_SANDBOX_WEBHOOK_URL)'}`,
      `Trustist API      ${trustist.apiUrl}   (Hawk id ${env.TRUSTIST_SANDBOX_HAWK_ID})`,
      `Trustist webhooks ${env.TRUSTIST_SANDBOX_WEBHOOK_URL ?? '(none: set TRUSTIST_SANDBOX_WEBHOOK_URL)'}`,
      `Admin             <url>/__sandbox/{ledger,requests,faults,webhooks,reset}`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`sandbox failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
