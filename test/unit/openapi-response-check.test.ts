import { buildOpenApiDocument } from '../../api/openapi';
import { testApiProviders } from '../support/api-providers';
import { responseSchemaValidator, type OpenApiDocument } from '../chaos/support/openapi-fuzz';

/** The fuzzer's contract check itself: it must refuse what the document does not describe, or it proves nothing. */
describe("the fuzzer's check of answers against /openapi.json", () => {
  const check = responseSchemaValidator(buildOpenApiDocument({ providers: testApiProviders({ turnstayWebhookSecret: 'whsec_unused', trustistWebhookPathSecret: 'unused-unused-unused-unused' }) }) as unknown as OpenApiDocument);
  const payment = {
    id: 'payment-m-1',
    status: 'COMPLETE',
    provider: 'turnstay',
    reference: 'r1',
    amountMinor: 100,
    currency: 'GBP',
    card: { brand: 'visa', last4: '1111' },
    refundedMinor: 0,
    refundableMinor: 100,
    refunds: [],
    transitions: [{ status: 'CREATED', at: '2026-12-02T00:00:00.000Z' }],
  };
  const json = 'application/json; charset=utf-8';

  test('accepts a documented answer', () => {
    expect(check('/v1/payments/{id}', 'GET', 200, json, JSON.stringify(payment))).toBeUndefined();
    expect(check('/v1/payments/{id}', 'GET', 404, json, JSON.stringify({ error: { code: 'payment_not_found', message: 'no such payment', field: 'id' } }))).toBeUndefined();
  });

  test.each([
    ['an undocumented field', 200, json, { ...payment, cardNumber: '4111111111111111' }, /additional properties/],
    ['a status outside the enum', 200, json, { ...payment, status: 'PAID' }, /allowed values/],
    ['a missing required field', 200, json, { ...payment, refunds: undefined }, /required/],
    ['an undocumented status', 418, json, payment, /not documented/],
    ['another content type', 200, 'text/html', payment, /content type/],
  ])('refuses %s', (_name, status, contentType, body, problem) => {
    expect(check('/v1/payments/{id}', 'GET', status, contentType, JSON.stringify(body))).toMatch(problem);
  });
});
