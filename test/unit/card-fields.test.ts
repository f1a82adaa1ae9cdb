import { cardFieldsIn } from '../support/card-fields';
import { testCard, TEST_CARDS } from '../support/test-cards';

describe('cardFieldsIn', () => {
  const card = testCard(TEST_CARDS.challenge);
  const event = (data: object) => JSON.stringify({ type: 'payment.action_required', data });

  test('a random provider id that spells CVC is not card data (seen in a Trustist challenge URL)', () => {
    const nextAction = { type: 'redirect', url: 'http://127.0.0.1:1/challenge?paymentId=3PAYS2CVC2ZEVDMNNSVK3MPP' };
    expect(cardFieldsIn([event({ nextAction, card: { brand: 'visa', last4: '3220' } })], card)).toEqual([]);
  });

  test('finds a card by its field names at any depth, and its CVC and expiry by value', () => {
    expect(cardFieldsIn([event({ payment: { card } })], card)).toEqual(['field expiryMonth', 'field expiryYear', 'field cvc', 'field holderName', 'the CVC']);
    expect(cardFieldsIn([event({ lines: [{ CardNumber: 'x' }] })], card)).toEqual(['field CardNumber']);
    expect(cardFieldsIn([event({ note: `cvc ${card.cvc}` })], card)).toEqual(['the CVC']);
    expect(cardFieldsIn([event({ note: `valid to 12/${card.expiryYear % 100}` })], card)).toEqual([`the expiry as 12/${card.expiryYear % 100}`]);
    expect(cardFieldsIn([event({ note: `${card.expiryYear}-12` })], card)).toEqual([`the expiry as ${card.expiryYear}-12`]);
  });
});
