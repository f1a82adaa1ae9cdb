import { escapeHtml, formatAmount } from '../shared/challenge-page';

/**
 * TurnStay's hosted card form (turnstay_payment_url, and the "embed or redirect" option of the S2S doc). It posts
 * the card to the SCS server (same origin), then follows a 3-D Secure challenge or shows the result, redirecting to
 * success_redirect_url / failed_redirect_url when the intent has them. In `tokenize` mode (a card-on-file intent's
 * "Tokenize Card" form) it keeps the card and charges nothing. Either way it tells its parent window the outcome with
 * postMessage (`{type: "turnstay.checkout" | "turnstay.tokenize", lookup_id, status}`), as the challenge page does;
 * the message never carries card data or the token.
 */
export type CheckoutPageOptions = {
  lookupId: string;
  reference: string;
  submitUrl: string;
  successRedirectUrl: string | null;
  failedRedirectUrl: string | null;
} & ({ mode: 'pay'; amountMinor: number; currency: string } | { mode: 'tokenize' });

function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function renderCheckoutPage(options: CheckoutPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>TurnStay sandbox checkout</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 24px; background: #f4f6fb; }
  form { max-width: 420px; margin: 0 auto; background: #fff; border-radius: 8px; padding: 24px; box-shadow: 0 1px 4px #0002; display: grid; gap: 10px; }
  label { display: grid; gap: 4px; font-size: 14px; }
  input { font-size: 15px; padding: 8px; }
  button { font-size: 15px; padding: 10px; background: #0a58ca; color: #fff; border: 0; border-radius: 6px; }
  #result { font-weight: 600; min-height: 1.2em; }
</style>
</head>
<body>
<form id="checkout">
  <h1 style="font-size:18px;margin:0">${options.mode === 'pay' ? `Pay ${escapeHtml(formatAmount(options.amountMinor, options.currency))}` : 'Keep a card on file (nothing is charged now)'}</h1>
  <div>Reference: ${escapeHtml(options.reference)}</div>
  <label>Name on card <input id="cardholder_name" autocomplete="cc-name" required></label>
  <label>Card number <input id="card_number" inputmode="numeric" autocomplete="cc-number" required></label>
  <label>Expiry month <input id="expiry_month" inputmode="numeric" required></label>
  <label>Expiry year <input id="expiry_year" inputmode="numeric" required></label>
  <label>CVC <input id="cvc" inputmode="numeric" autocomplete="cc-csc" required></label>
  <button id="pay" type="submit">${options.mode === 'pay' ? 'Pay' : 'Save card'}</button>
  <div id="result" role="status"></div>
</form>
<script>
(function () {
  var config = ${scriptJson({ mode: options.mode, lookupId: options.lookupId, submitUrl: options.submitUrl, success: options.successRedirectUrl, failed: options.failedRedirectUrl })};
  var form = document.getElementById('checkout');
  var result = document.getElementById('result');
  function value(id) { return document.getElementById(id).value.trim(); }
  function tell(type, status) { window.parent.postMessage({ type: type, lookup_id: config.lookupId, status: status }, '*'); }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    result.textContent = 'Processing...';
    var body = {
      cardholder_name: value('cardholder_name'),
      card_number: value('card_number').replace(/\\s+/g, ''),
      expiry_month: Number(value('expiry_month')),
      expiry_year: Number(value('expiry_year')),
      cvc: value('cvc')
    };
    fetch(config.submitUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) { return response.json().then(function (data) { return { status: response.status, data: data }; }); })
      .then(function (answer) {
        var data = answer.data;
        if (config.mode === 'tokenize') {
          if (answer.status === 200) {
            result.textContent = 'Card saved';
            tell('turnstay.tokenize', 'PROCESSED');
          } else {
            result.textContent = 'Error: ' + data.detail;
          }
          return;
        }
        if (answer.status === 200 && data.status && data.status.name === 'REQUIRES_ACTION') {
          window.location.href = data.next_actions[0].url;
        } else if (answer.status === 200) {
          result.textContent = 'Payment ' + data.status.name;
          tell('turnstay.checkout', data.status.name);
          if (config.success) window.location.href = config.success;
        } else if (answer.status === 402) {
          result.textContent = data.detail;
          tell('turnstay.checkout', 'FAILED');
          if (config.failed) window.location.href = config.failed;
        } else {
          result.textContent = 'Error: ' + data.detail;
        }
      })
      .catch(function (error) { result.textContent = 'Error: ' + error.message; });
  });
})();
</script>
</body>
</html>
`;
}
