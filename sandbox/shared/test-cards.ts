/**
 * The sandboxes' test-card matrix (shared by both providers) and card validation: Luhn, length, brand, expiry.
 * Nothing here logs or stores a card: callers keep card data in memory only and log `describeCard()`.
 */

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unknown';

export type DeclineCode = 'card_declined' | 'insufficient_funds' | 'expired_card';

export type CardBehaviour =
  | { kind: 'approve' }
  | { kind: 'challenge' }
  | { kind: 'decline'; code: DeclineCode }
  | { kind: 'provider_error' }
  | { kind: 'slow' };

export interface TestCard {
  number: string;
  behaviour: CardBehaviour;
  description: string;
}

/** Cards with a defined behaviour. Any other Luhn-valid number approves frictionlessly. */
export const TEST_CARDS: readonly TestCard[] = [
  { number: '4242424242424242', behaviour: { kind: 'approve' }, description: 'frictionless approve' },
  { number: '4444333322221111', behaviour: { kind: 'approve' }, description: 'frictionless approve' },
  { number: '4000000000003220', behaviour: { kind: 'challenge' }, description: '3-D Secure challenge' },
  { number: '4000000000000002', behaviour: { kind: 'decline', code: 'card_declined' }, description: 'decline: card_declined' },
  { number: '4000000000009995', behaviour: { kind: 'decline', code: 'insufficient_funds' }, description: 'decline: insufficient_funds' },
  { number: '4000000000000069', behaviour: { kind: 'decline', code: 'expired_card' }, description: 'decline: expired_card' },
  { number: '4000000000000119', behaviour: { kind: 'provider_error' }, description: 'provider error: HTTP 500 on every attempt' },
  { number: '4000000000000077', behaviour: { kind: 'slow' }, description: 'slow: answers after slowCardDelayMs, then approves' },
  { number: '378282246310005', behaviour: { kind: 'approve' }, description: 'Amex (Trustist rejects it; TurnStay approves)' },
];

export function behaviourOf(cardNumber: string): CardBehaviour {
  return TEST_CARDS.find((card) => card.number === cardNumber)?.behaviour ?? { kind: 'approve' };
}

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** 13-19 digits, no spaces, passing Luhn. */
export function cardNumberValid(cardNumber: string): boolean {
  return /^\d{13,19}$/.test(cardNumber) && luhnValid(cardNumber);
}

export function brandOf(cardNumber: string): CardBrand {
  if (/^3[47]\d{13}$/.test(cardNumber)) return 'amex';
  if (/^4\d{12}(\d{3}){0,2}$/.test(cardNumber)) return 'visa';
  if (/^(5[1-5]\d{14}|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720)\d{12})$/.test(cardNumber)) return 'mastercard';
  if (/^(6011|65\d{2}|64[4-9]\d)\d{12,15}$/.test(cardNumber)) return 'discover';
  if (/^3(0[0-5]|[689]\d)\d{11,16}$/.test(cardNumber)) return 'diners';
  if (/^35(2[89]|[3-8]\d)\d{12,15}$/.test(cardNumber)) return 'jcb';
  return 'unknown';
}

export function last4(cardNumber: string): string {
  return cardNumber.slice(-4);
}

/** The only view of a card that may appear in logs, responses or webhooks. */
export function describeCard(cardNumber: string): { brand: CardBrand; last4: string } {
  return { brand: brandOf(cardNumber), last4: last4(cardNumber) };
}

/** A card expires at the end of its expiry month (UTC). */
export function expiryInPast(month: number, year: number, now: Date = new Date()): boolean {
  const nowYear = now.getUTCFullYear();
  const nowMonth = now.getUTCMonth() + 1;
  return year < nowYear || (year === nowYear && month < nowMonth);
}

export function cvcValid(cvc: string): boolean {
  return /^\d{3,4}$/.test(cvc);
}

/** A card as held in memory by a sandbox (never written anywhere). */
export interface CardData {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
  holderName?: string;
}
