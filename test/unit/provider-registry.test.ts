import { ApplicationFailure } from '@temporalio/common';
import { PaymentFailureType } from '../../activities/payment-failure-types';
import { defineProvider } from '../../activities/provider-module';
import {
  adapterFor,
  BUILT_IN_PROVIDERS,
  callsPerSecondEnvShape,
  callsPerSecondFromEnv,
  createApiProviders,
  createProviderAdapters,
} from '../../activities/provider-registry';
import { loggablePath } from '../../api/loggable-path';

describe('provider registry', () => {
  test('the worker reads <PROVIDER>_CALLS_PER_SECOND for each registered provider (the existing names included)', () => {
    expect(Object.keys(callsPerSecondEnvShape(BUILT_IN_PROVIDERS))).toEqual(['TURNSTAY_CALLS_PER_SECOND', 'TRUSTIST_CALLS_PER_SECOND']);
    expect(callsPerSecondFromEnv(BUILT_IN_PROVIDERS, { TRUSTIST_CALLS_PER_SECOND: '7', TURNSTAY_CALLS_PER_SECOND: '' })).toEqual({ turnstay: undefined, trustist: 7 });
  });

  test('each module takes its own variables; a name registered twice is refused', () => {
    const env = {
      TURNSTAY_API_URL: 'http://127.0.0.1:1',
      TURNSTAY_SCS_URL: 'http://127.0.0.1:2',
      TURNSTAY_API_KEY: 'sk_test_x',
      TURNSTAY_ACCOUNT_ID: '1',
      TRUSTIST_API_URL: 'http://127.0.0.1:3',
      TRUSTIST_KEY_ID: 'id',
      TRUSTIST_KEY: 'key-0123456789abcdef',
      TURNSTAY_WEBHOOK_SECRETS: 'whsec_a,whsec_b',
      TRUSTIST_WEBHOOK_PATH_SECRET: 'path-secret-0123456789abcdef',
    };
    expect(Object.keys(createProviderAdapters(BUILT_IN_PROVIDERS, env))).toEqual(['turnstay', 'trustist']);
    const [turnstay, trustist] = createApiProviders(BUILT_IN_PROVIDERS, env);
    expect(turnstay).toMatchObject({ label: 'TurnStay', capabilities: { cardOnFile: true, hostedForm: true }, currencies: { codes: ['GBP'] } });
    expect(trustist).toMatchObject({ label: 'Trustist', capabilities: { payerDeviceRequired: true }, webhook: { authentication: 'path_secret' } });
    expect(() => createApiProviders([...BUILT_IN_PROVIDERS, BUILT_IN_PROVIDERS[0]!], env)).toThrow('provider "turnstay" is registered twice');
  });

  test('a provider name must fit task queues, variables and visibility queries', () => {
    const spec = { label: 'X', capabilities: { cardOnFile: false, hostedForm: false, payerDeviceRequired: false }, env: {}, apiEnv: {} };
    const parts = { adapter: () => ({}) as never, currencies: () => ({ codes: [], message: '' }), webhook: () => ({}) as never };
    expect(() => defineProvider({ ...spec, ...parts, name: 'Bad-Name"' })).toThrow('must be 2 to 31 lowercase letters or digits');
  });

  test('a call for a provider nobody registered fails for good, naming it', () => {
    let failure: unknown;
    try {
      adapterFor({}, 'nobody');
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ nonRetryable: true, type: PaymentFailureType.InvalidRequest, message: 'no provider "nobody" is registered' });
  });

  test("logs mask whatever follows a provider's webhook path (a secret URL), for every provider", () => {
    expect(loggablePath('/webhooks/trustist/s3cr3t-value')).toBe('/webhooks/trustist/[secret]');
    expect(loggablePath('/webhooks/another/s3cr3t')).toBe('/webhooks/another/[secret]');
    expect(loggablePath('/webhooks/turnstay')).toBe('/webhooks/turnstay');
  });
});
