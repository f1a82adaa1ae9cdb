/**
 * Card data as the API receives it. It lives only in the memory of the process that received it (the card
 * vault) and in the request to the provider: never in workflow inputs, history, logs, errors or disk.
 */
export interface CardDetails {
  number: string;
  expiryMonth: number;
  expiryYear: number;
  cvc: string;
  holderName?: string;
}

/** What may be shown anywhere: brand and last four. */
export interface CardSummary {
  brand: CardBrand;
  last4: string;
}

export const CARD_BRANDS = ['visa', 'mastercard', 'amex', 'discover', 'unknown'] as const;
export type CardBrand = (typeof CARD_BRANDS)[number];

export function cardBrand(number: string): CardBrand {
  if (/^4/.test(number)) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  if (/^3[47]/.test(number)) return 'amex';
  if (/^6(011|5)/.test(number)) return 'discover';
  return 'unknown';
}

export function summarizeCard(card: Pick<CardDetails, 'number'>): CardSummary {
  return { brand: cardBrand(card.number), last4: card.number.slice(-4) };
}

export function passesLuhnCheck(number: string): boolean {
  let sum = 0;
  for (let index = 0; index < number.length; index += 1) {
    let digit = Number(number[number.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return number.length > 0 && sum % 10 === 0;
}
