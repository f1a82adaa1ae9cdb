import { ConfigurationError, parseEnv } from '../../infra/env-config';
import { merchantEventsEnvSchema } from '../../infra/merchant-endpoints-config';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('MERCHANT_EVENT_ENDPOINTS', () => {
  test('unset: no endpoints', () => {
    expect(parseEnv(merchantEventsEnvSchema, {}).MERCHANT_EVENT_ENDPOINTS).toEqual({});
  });

  test('JSON of endpoints by merchant; an endpoint without an id is named after its URL', () => {
    const env = { MERCHANT_EVENT_ENDPOINTS: JSON.stringify({ merchant1: [{ url: 'https://a.example/hook', secret: SECRET }, { id: 'mine', url: 'https://b.example/hook', secret: SECRET }] }) };
    const [first, second] = parseEnv(merchantEventsEnvSchema, env).MERCHANT_EVENT_ENDPOINTS.merchant1!;
    expect(first!.id).toMatch(/^ep_[0-9a-f]{12}$/);
    expect(second).toEqual({ id: 'mine', url: 'https://b.example/hook', secret: SECRET });
  });

  test('text that is not JSON, or JSON of the wrong shape, is refused naming the variable', () => {
    expect(() => parseEnv(merchantEventsEnvSchema, { MERCHANT_EVENT_ENDPOINTS: '{' })).toThrow(/MERCHANT_EVENT_ENDPOINTS: must be JSON: \{"<merchantId>"/);
    expect(() => parseEnv(merchantEventsEnvSchema, { MERCHANT_EVENT_ENDPOINTS: '{"merchant1":[{"url":"ftp://x","secret":"no"}]}' })).toThrow(ConfigurationError);
  });
});
