import type { RunningTrustistSandbox } from '../../../sandbox';
import { BROWSER_DATA } from '../../support/test-cards';
import { FUTURE_YEAR, hawkCall, type JsonAnswer } from './helpers';

export function s2sBody(number: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 99.99,
    reference: `ORDER-${Math.random().toString(36).slice(2)}`,
    description: 'Sandbox test order',
    payerEmail: 'customer@example.com',
    cardDetails: { number, expiryMonth: '12', expiryYear: String(FUTURE_YEAR), cvc: '7391' },
    billingAddress: { firstName: 'John', lastName: 'Smith', lineOne: '123 High Street', city: 'London', country: 'GB', postalCode: 'SW1A 1AA' },
    browserData: BROWSER_DATA,
    ...overrides,
  };
}

export function pay(sandbox: RunningTrustistSandbox, body: Record<string, unknown>, options: Parameters<typeof hawkCall>[3] = {}): Promise<JsonAnswer> {
  return hawkCall(`${sandbox.apiUrl}/v1/payments/server-to-server`, 'POST', body, options);
}

export function getPayment(sandbox: RunningTrustistSandbox, id: string): Promise<JsonAnswer> {
  return hawkCall(`${sandbox.apiUrl}/v1/payments/${id}`, 'GET');
}
