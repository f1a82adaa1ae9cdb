/**
 * The hosted 3-D Secure challenge page (plain HTML, inline script). Buttons #authenticate and #fail POST
 * `{outcome}` to the provider's complete URL; the JSON answer is the completion message, which the page then
 * sends to its parent window with postMessage (the parent is the page itself when not framed).
 */

export interface ChallengePageOptions {
  provider: string;
  amountText: string;
  cardText: string;
  reference: string;
  /** Same-origin URL (path + query) of the complete endpoint. */
  completeUrl: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** JSON safe to embed inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function renderChallengePage(options: ChallengePageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.provider)} sandbox: 3-D Secure</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 24px; background: #f4f6fb; color: #1d2433; }
  main { max-width: 420px; margin: 0 auto; background: #fff; border-radius: 8px; padding: 24px; box-shadow: 0 1px 4px #0002; }
  h1 { font-size: 18px; margin: 0 0 12px; }
  dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; margin: 0 0 20px; }
  dt { color: #5b6577; }
  button { font-size: 15px; padding: 10px 18px; border-radius: 6px; border: 0; cursor: pointer; margin-right: 8px; }
  #authenticate { background: #1a7f37; color: #fff; }
  #fail { background: #cf222e; color: #fff; }
  button:disabled { opacity: .5; cursor: default; }
  #result { margin-top: 16px; font-weight: 600; min-height: 1.2em; }
</style>
</head>
<body>
<main>
  <h1>${escapeHtml(options.provider)} sandbox &mdash; bank authentication</h1>
  <p>This simulates your bank's 3-D Secure challenge. Choose the outcome.</p>
  <dl>
    <dt>Amount</dt><dd id="amount">${escapeHtml(options.amountText)}</dd>
    <dt>Card</dt><dd id="card">${escapeHtml(options.cardText)}</dd>
    <dt>Reference</dt><dd id="reference">${escapeHtml(options.reference)}</dd>
  </dl>
  <button id="authenticate" type="button">Authenticate</button>
  <button id="fail" type="button">Fail</button>
  <div id="result" role="status"></div>
</main>
<script>
(function () {
  var completeUrl = ${scriptJson(options.completeUrl)};
  var buttons = [document.getElementById('authenticate'), document.getElementById('fail')];
  var result = document.getElementById('result');
  function setDisabled(disabled) { buttons.forEach(function (b) { b.disabled = disabled; }); }
  function complete(outcome) {
    setDisabled(true);
    result.textContent = 'Processing...';
    fetch(completeUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outcome: outcome }) })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          result.textContent = 'Error: ' + (answer.body.detail || answer.body.error || 'unexpected answer');
          setDisabled(false);
          return;
        }
        result.textContent = 'Result: ' + answer.body.status;
        document.body.setAttribute('data-status', answer.body.status);
        window.parent.postMessage(answer.body, '*');
      })
      .catch(function (error) {
        result.textContent = 'Error: ' + error.message;
        setDisabled(false);
      });
  }
  buttons[0].addEventListener('click', function () { complete('authenticate'); });
  buttons[1].addEventListener('click', function () { complete('fail'); });
})();
</script>
</body>
</html>
`;
}

/** Formats minor units for display, e.g. 1050 GBP -> "GBP 10.50". */
export function formatAmount(amountMinor: number, currency: string): string {
  return `${currency} ${(amountMinor / 100).toFixed(2)}`;
}
