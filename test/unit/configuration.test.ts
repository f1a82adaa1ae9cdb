import { apiEnvSchema } from '../../api/api-env';
import { ConfigurationError } from '../../infra/env-config';
import { parseTemporalEnv, temporalEnvSchema } from '../../infra/temporal-config';

describe('configuration', () => {
  test('every bad variable is named at once, not just the first', () => {
    let error: unknown;
    try {
      parseTemporalEnv(apiEnvSchema.and(temporalEnvSchema), {
        TEMPORAL_ADDRESS: 'no-port',
        PAYLOAD_KEYS: 'k1:tooshort',
        PAYLOAD_ACTIVE_KEY_ID: 'k1',
        TURNSTAY_API_URL: 'ftp://x',
        TURNSTAY_API_KEY: 'pk_live_x',
        MERCHANT_API_KEYS: 'm1:nothex',
        API_PORT: '99999',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const message = (error as Error).message;
    for (const name of ['TEMPORAL_ADDRESS', 'PAYLOAD_KEYS', 'TURNSTAY_API_URL', 'TURNSTAY_API_KEY', 'MERCHANT_API_KEYS', 'API_PORT', 'TURNSTAY_SCS_URL', 'TRUSTIST_KEY', 'OPERATOR_API_KEYS']) {
      expect(message).toContain(name);
    }
  });
});
