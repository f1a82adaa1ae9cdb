import type { testCard } from './test-cards';

/**
 * What TurnStay's hosted card form does when a shopper fills it in, without a browser: open the form's URL (following
 * the sandbox's redirect), read where the page posts, and post the card fields there. For tests that need a hosted
 * payment or card-on-file form finished quickly (replay fixtures); the browser tests fill the real page.
 */
export async function fillHostedForm(formUrl: string, card: ReturnType<typeof testCard>): Promise<{ status: number; body: unknown }> {
  const page = await fetch(formUrl);
  if (!page.ok) throw new Error(`hosted form answered ${page.status}`);
  const submitPath = /"submitUrl":"([^"]+)"/.exec(await page.text())?.[1];
  if (!submitPath) throw new Error('the hosted form names no submit URL');
  const response = await fetch(new URL(submitPath.replace(/\\u0026/g, '&'), page.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      cardholder_name: card.holderName,
      card_number: card.number,
      expiry_month: card.expiryMonth,
      expiry_year: card.expiryYear,
      cvc: card.cvc,
    }),
  });
  return { status: response.status, body: await response.json() };
}
