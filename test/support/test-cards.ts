/** The sandboxes' test-card matrix (sandbox/README.md). CVC 7391 is distinctive enough to search for. */
export const TEST_CARDS = {
  frictionless: '4242424242424242',
  challenge: '4000000000003220',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  expiredCard: '4000000000000069',
  providerError: '4000000000000119',
  slow: '4000000000000077',
  amex: '378282246310005',
} as const;

export const TEST_CVC = '7391';
/**
 * The CVC as a value of its own. The Web UI's SVG icons contain "11.7391", and random ids (hex task-queue suffixes,
 * hashes, base64) may contain its four digits by chance; a CVC that leaked would show as a token.
 */
export const CVC_TOKEN = new RegExp(`(?<![\\w.+/-])${TEST_CVC}(?![\\w+/-]|\\.\\d)`);

export function testCard(number: string) {
  return { number, expiryMonth: 12, expiryYear: new Date().getUTCFullYear() + 2, cvc: TEST_CVC, holderName: 'Test Holder' };
}

export const BROWSER_DATA = {
  browserJavaEnabled: false,
  browserJavascriptEnabled: true,
  browserLanguage: 'en-GB',
  browserColorDepth: 24,
  browserScreenHeight: 1080,
  browserScreenWidth: 1920,
  browserTZ: 'Europe/London',
  browserUserAgent: 'Mozilla/5.0 (test)',
  browserAcceptHeader: '*/*',
  browserIP: '203.0.113.42',
  browserJavaEnabledString: 'false',
  challengeWindowSize: 'FULLSCREEN',
  deviceChannel: 'Browser',
} as const;
