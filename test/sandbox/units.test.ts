import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pino from 'pino';
import { parseSandboxEnv, SandboxConfigError } from '../../sandbox/config';
import { startTrustistSandbox, startTurnstaySandbox } from '../../sandbox';
import { parseFaultHeader } from '../../sandbox/shared/faults';
import { canonicalJson } from '../../sandbox/shared/http';
import { behaviourOf, brandOf, cardNumberValid, expiryInPast, luhnValid, TEST_CARDS } from '../../sandbox/shared/test-cards';
import { call } from './support/helpers';
import { AUTH, cardFields, confirm, createIntent, scsOf } from './support/turnstay';
import { pay, s2sBody } from './support/trustist';

describe('test cards', () => {
  it('every matrix card is a valid card number with the documented behaviour', () => {
    for (const card of TEST_CARDS) expect(cardNumberValid(card.number)).toBe(true);
    expect(behaviourOf('4242424242424242')).toEqual({ kind: 'approve' });
    expect(behaviourOf('4444333322221111')).toEqual({ kind: 'approve' });
    expect(behaviourOf('4000000000003220')).toEqual({ kind: 'challenge' });
    expect(behaviourOf('4000000000000002')).toEqual({ kind: 'decline', code: 'card_declined' });
    expect(behaviourOf('4000000000009995')).toEqual({ kind: 'decline', code: 'insufficient_funds' });
    expect(behaviourOf('4000000000000069')).toEqual({ kind: 'decline', code: 'expired_card' });
    expect(behaviourOf('4000000000000119')).toEqual({ kind: 'provider_error' });
    expect(behaviourOf('4000000000000077')).toEqual({ kind: 'slow' });
    expect(behaviourOf('5555555555554444')).toEqual({ kind: 'approve' });
  });

  it('checks Luhn, length and digits', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
    expect(cardNumberValid('4242424242424241')).toBe(false);
    expect(cardNumberValid('4242 4242 4242 4242')).toBe(false);
    expect(cardNumberValid('42424242424')).toBe(false);
    expect(cardNumberValid('4222222222222')).toBe(true);
  });

  it('detects brands', () => {
    expect(brandOf('4242424242424242')).toBe('visa');
    expect(brandOf('378282246310005')).toBe('amex');
    expect(brandOf('5555555555554444')).toBe('mastercard');
    expect(brandOf('2223003122003222')).toBe('mastercard');
    expect(brandOf('6011111111111117')).toBe('discover');
  });

  it('treats a card as valid through the end of its expiry month', () => {
    const now = new Date(Date.UTC(2030, 5, 30, 23, 59));
    expect(expiryInPast(6, 2030, now)).toBe(false);
    expect(expiryInPast(5, 2030, now)).toBe(true);
    expect(expiryInPast(1, 2031, now)).toBe(false);
    expect(expiryInPast(12, 2029, now)).toBe(true);
  });
});

describe('X-Sandbox-Fault parsing and canonical JSON', () => {
  it('parses directives', () => {
    expect(parseFaultHeader('status=503')).toEqual({ latencyMs: 0, action: { kind: 'status', status: 503, phase: 'before', source: 'header' } });
    expect(parseFaultHeader('latency=200')).toEqual({ latencyMs: 200 });
    expect(parseFaultHeader('reset; phase=after').action).toMatchObject({ kind: 'reset', phase: 'after' });
    expect(parseFaultHeader('timeout,latency=5')).toMatchObject({ latencyMs: 5, action: { kind: 'timeout' } });
    expect(() => parseFaultHeader('status=200')).toThrow(/X-Sandbox-Fault/);
    expect(() => parseFaultHeader('boom')).toThrow(/boom/);
  });

  it('compares bodies regardless of key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }));
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: 2 }));
  });
});

describe('sandbox environment (npm run sandbox)', () => {
  it('has working defaults and treats empty values as unset', () => {
    const env = parseSandboxEnv({ TURNSTAY_SANDBOX_WEBHOOK_URL: '' });
    expect(env).toMatchObject({ SANDBOX_HOST: '127.0.0.1', TURNSTAY_SANDBOX_PORT: 4010, TURNSTAY_SANDBOX_SCS_PORT: 4011, TRUSTIST_SANDBOX_PORT: 4020, TURNSTAY_SANDBOX_API_KEYS: ['sk_test_sandbox'] });
    expect(env.TURNSTAY_SANDBOX_WEBHOOK_URL).toBeUndefined();
    expect(parseSandboxEnv({ TURNSTAY_SANDBOX_API_KEYS: 'sk_test_a, sk_test_b' }).TURNSTAY_SANDBOX_API_KEYS).toEqual(['sk_test_a', 'sk_test_b']);
  });

  it('names every bad variable', () => {
    let error: unknown;
    try {
      parseSandboxEnv({ TURNSTAY_SANDBOX_PORT: 'abc', TRUSTIST_SANDBOX_PORT: '70000', TRUSTIST_SANDBOX_WEBHOOK_URL: 'not a url', TURNSTAY_SANDBOX_API_KEYS: 'pub_x', SANDBOX_LATENCY_MS: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SandboxConfigError);
    expect((error as SandboxConfigError).problems.map((p) => p.variable).sort()).toEqual(
      ['SANDBOX_LATENCY_MS', 'TRUSTIST_SANDBOX_PORT', 'TRUSTIST_SANDBOX_WEBHOOK_URL', 'TURNSTAY_SANDBOX_API_KEYS', 'TURNSTAY_SANDBOX_PORT'].sort(),
    );
  });

  function runMain(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string; child: ReturnType<typeof spawn> }> {
    // node itself (tsx as a loader) so that the signal reaches main.ts directly
    const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/main.ts'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, SANDBOX_LOG_LEVEL: 'silent', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Admin')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, child })));
  }

  it('starts both sandboxes, prints their URLs and stops on SIGTERM', async () => {
    const result = await runMain({ TURNSTAY_SANDBOX_PORT: '0', TURNSTAY_SANDBOX_SCS_PORT: '0', TRUSTIST_SANDBOX_PORT: '0' });
    expect(result.stdout).toMatch(/TurnStay API\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/TurnStay SCS\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toMatch(/Trustist API\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(result.stdout).toContain('SIGTERM');
    expect(result.code).toBe(0);
  }, 30_000);

  it('refuses to start with a bad environment, naming the variables', async () => {
    const result = await runMain({ TURNSTAY_SANDBOX_PORT: 'abc', TRUSTIST_SANDBOX_HAWK_KEY: 'short' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('TURNSTAY_SANDBOX_PORT');
    expect(result.stderr).toContain('TRUSTIST_SANDBOX_HAWK_KEY');
  }, 30_000);
});

describe('logs never carry card numbers or CVCs', () => {
  it('logs brand and last4 only, as JSON, through every card path of both sandboxes', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    const turnstay = await startTurnstaySandbox({ logger, slowCardDelayMs: 10 });
    const trustist = await startTrustistSandbox({ logger, slowCardDelayMs: 10 });
    const cvc = '7391';
    try {
      for (const card of TEST_CARDS) {
        const intent = await createIntent(turnstay);
        await confirm(turnstay, intent, cardFields(card.number, { cvc }));
        await pay(trustist, s2sBody(card.number));
      }
      const intent = await createIntent(turnstay);
      const { scsIntentId, clientSecret } = scsOf(intent);
      await call(`${turnstay.scsUrl}/api/v1/card/tokenize/${scsIntentId}?client_secret=${clientSecret}`, { body: cardFields('4242424242424242', { cvc }) });
      const onFile = await call(`${turnstay.apiUrl}/api/v1/payment_method_token_intent`, { body: { account_id: 1001, payment_type: 'Tokenization' }, headers: AUTH });
      await call(String(onFile.body.confirm_endpoint_url), { body: cardFields('4444333322221111', { cvc }) });
      await confirm(turnstay, intent, cardFields('4242424242424241', { cvc }));
    } finally {
      await Promise.all([turnstay.close(), trustist.close()]);
    }
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const all = lines.join('\n');
    for (const card of TEST_CARDS) expect(all).not.toContain(card.number);
    expect(all).not.toContain('4242424242424241');
    // The CVC as a value of its own: four digits also turn up inside random ids (a CI run failed on the lookupId
    // pi_2d3e739174c9…), which are no leak. Controls: a logged CVC is found, that id is not.
    const cvcAlone = new RegExp(`(?<![0-9A-Za-z])${cvc}(?![0-9A-Za-z])`);
    expect(`{"cvc":"${cvc}"}`).toMatch(cvcAlone);
    expect('{"lookupId":"pi_2d3e739174c924454b5e916d"}').not.toMatch(cvcAlone);
    expect(all).not.toMatch(cvcAlone);
    expect(all).not.toContain('client_secret=');
    expect(all).toContain('"last4":"3220"');
    expect(all).toContain('"brand":"visa"');
  });
});
