import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '../../infra/env-config';
import { parseTemporalEnv, temporalEnvSchema } from '../../infra/temporal-config';

/** Only what every process needs besides the connection; no HOME, so no developer's own CLI profile is read. */
const OURS = { PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`, PAYLOAD_ACTIVE_KEY_ID: 'k1' };

describe('Temporal connection profiles (the temporal CLI format)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dp-profiles-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
    try {
      parseTemporalEnv(temporalEnvSchema, { ...OURS, ...env });
    } catch (error) {
      if (error instanceof ConfigurationError) return error.problems;
      throw error;
    }
    throw new Error('the configuration was accepted');
  };

  const profiles = file(
    'temporal.toml',
    [
      '[profile.default]',
      'address = "127.0.0.1:7233"',
      '',
      '[profile.staging]',
      'address = "temporal.staging.internal:7233"',
      'namespace = "payments-staging"',
      '',
      '[profile.cloud]',
      'address = "payments.a1b2c.tmprl.cloud:7233"',
      'namespace = "payments.a1b2c"',
      'api_key = "cloud-api-key-from-the-profile"',
    ].join('\n'),
  );

  test('the profile named in TEMPORAL_PROFILE selects the address and namespace; the variables override it', () => {
    const staging = parseTemporalEnv(temporalEnvSchema, { ...OURS, TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'staging' }).temporal;
    expect(staging).toEqual({ connectionOptions: { address: 'temporal.staging.internal:7233' }, namespace: 'payments-staging', profile: 'staging' });

    const overridden = parseTemporalEnv(temporalEnvSchema, { ...OURS, TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'staging', TEMPORAL_NAMESPACE: 'payments-canary' }).temporal;
    expect([overridden.connectionOptions.address, overridden.namespace]).toEqual(['temporal.staging.internal:7233', 'payments-canary']);

    const byDefault = parseTemporalEnv(temporalEnvSchema, { ...OURS, TEMPORAL_CONFIG_FILE: profiles }).temporal;
    expect([byDefault.connectionOptions.address, byDefault.namespace, byDefault.profile]).toEqual(['127.0.0.1:7233', 'default', 'default']);
  });

  test('an API key in a profile turns TLS on; client certificate paths load the certificate pair', () => {
    const cloud = parseTemporalEnv(temporalEnvSchema, { ...OURS, TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'cloud' }).temporal;
    expect(cloud.connectionOptions).toEqual({ address: 'payments.a1b2c.tmprl.cloud:7233', apiKey: 'cloud-api-key-from-the-profile', tls: true });

    const crt = file('client.pem', 'certificate');
    const key = file('client.key', 'private key');
    const mtls = parseTemporalEnv(temporalEnvSchema, {
      ...OURS,
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: crt,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    }).temporal;
    expect(mtls.connectionOptions.tls).toMatchObject({ serverNameOverride: 'temporal.internal', clientCertPair: { crt: Buffer.from('certificate'), key: Buffer.from('private key') } });
  });

  test('without a file or variables: the local default server', () => {
    const { temporal } = parseTemporalEnv(temporalEnvSchema, OURS);
    expect(temporal).toEqual({ connectionOptions: { address: '127.0.0.1:7233' }, namespace: 'default', profile: 'default' });
  });

  test('a bad profile is a clear error naming the file, the profile and the key, never the file text', () => {
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: profiles, TEMPORAL_PROFILE: 'prod' })).toEqual([`TEMPORAL_PROFILE: no profile "prod" in TEMPORAL_CONFIG_FILE (${profiles})`]);

    const typo = file('typo.toml', '[profile.default]\nadress = "temporal.internal:7233"\n');
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: typo })).toEqual([`TEMPORAL_CONFIG_FILE (${typo}): key(s) unrecognized in profile.default: adress`]);

    const broken = file('broken.toml', '[profile.default]\naddress = "temporal.internal:7233"\napi_key = "secret-key-never-echoed\n');
    const [syntax] = problemsOf({ TEMPORAL_CONFIG_FILE: broken });
    expect(syntax).toMatch(new RegExp(`^TEMPORAL_CONFIG_FILE \\(${broken}\\): not valid TOML at line 3, column \\d+ \\(control characters are not allowed in strings\\)$`));
    expect(syntax).not.toContain('secret-key-never-echoed');

    const noPort = file('no-port.toml', '[profile.default]\naddress = "temporal.internal"\nnamespace = ""\n');
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: noPort })).toEqual([
      `address of profile "default" in TEMPORAL_CONFIG_FILE (${noPort}): must be host:port`,
      `namespace of profile "default" in TEMPORAL_CONFIG_FILE (${noPort}): must not be empty`,
    ]);

    expect(problemsOf({ TEMPORAL_CONFIG_FILE: join(dir, 'missing.toml') })).toEqual([`TEMPORAL_CONFIG_FILE (${join(dir, 'missing.toml')}): no such file`]);
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: file('empty.toml', '# nothing yet\n') })).toEqual([`TEMPORAL_CONFIG_FILE (${join(dir, 'empty.toml')}): has no [profile.<name>] table`]);
  });

  test('every bad variable is named at once, with ours', () => {
    const problems = problemsOf({
      TEMPORAL_ADDRESS: 'no-port',
      TEMPORAL_TLS: 'yes',
      TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'missing.pem'),
      TEMPORAL_TLS_CERT_PATH: '/old/name.pem',
      PAYLOAD_KEYS: 'k1:short',
    });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'PAYLOAD_KEYS',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_TLS',
      'TEMPORAL_TLS_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_CERT_PATH',
      'TEMPORAL_TLS_CLIENT_KEY_PATH',
    ]);
    expect(problems).toContain('TEMPORAL_TLS_CERT_PATH: renamed TEMPORAL_TLS_CLIENT_CERT_PATH (the temporal CLI\'s name)');
    expect(problems).toContain('TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate and its key go together');
  });
});
