import { CVC_TOKEN } from './test-cards';

/** The names a card's secret fields go by, ours and the providers': a card object that leaked shows by its keys. */
const CARD_FIELD_NAME = /cvc|cvv|expiry|holderName|cardNumber/i;

interface CardSecrets {
  cvc: string;
  expiryMonth: number;
  expiryYear: number;
}

/**
 * Card fields in JSON documents, found by structure rather than by letters anywhere in the text: card field names
 * among the keys at any depth, and the card's CVC (as a token of its own) or expiry (in the forms a date takes)
 * anywhere. A random provider id that happens to spell "CVC" is neither. Each finding names what was found.
 */
export function cardFieldsIn(jsonDocuments: string[], card: CardSecrets): string[] {
  const month = String(card.expiryMonth).padStart(2, '0');
  const expiryForms = [`${month}/${card.expiryYear}`, `${month}/${card.expiryYear % 100}`, `${card.expiryYear}-${month}`, `${card.expiryMonth}/${card.expiryYear}`];
  const found = new Set<string>();
  for (const document of jsonDocuments) {
    for (const key of keysOf(JSON.parse(document))) if (CARD_FIELD_NAME.test(key)) found.add(`field ${key}`);
    if (CVC_TOKEN.test(document)) found.add('the CVC');
    for (const form of expiryForms) if (document.includes(form)) found.add(`the expiry as ${form}`);
  }
  return [...found];
}

function keysOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(keysOf);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
}
