import type { WindowSession } from "./sessions.js";

const escapeHtml = (value: unknown): string =>
  String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const TEST_CARDS: Array<[string, string, string]> = [
  ["366", "5365101234561234", "신한 5365-10**-****-1234"],
  ["381", "9410123456789012", "KB국민 9410-12**-****-9012"],
  ["365", "4000111122223333", "삼성 4000-11**-****-3333"],
  ["361", "9430123412341234", "BC 9430-12**-****-1234"],
];

const DECLINES: Array<[string, string]> = [
  ["limit_exceeded", "한도초과 (limit_exceeded)"],
  ["insufficient_balance", "잔액부족 (insufficient_balance)"],
  ["lost_card", "분실카드 (lost_card)"],
  ["expired_card", "유효기간 경과 (expired_card)"],
];

/**
 * The payment window a person sees. Buttons are real, labelled <button>s with stable text
 * ("Approve", "Decline", "Close window", "Issue virtual account", "Issue billing key") so
 * browser tests can click them by name.
 */
export function windowPage(session: WindowSession): string {
  const p = session.params;
  const method = p.pay_method ?? "card";
  const primary = p.customer_uid
    ? "Issue billing key"
    : method === "vbank"
      ? "Issue virtual account"
      : "Approve";
  const cardOptions = TEST_CARDS.map(
    ([code, number, label]) => `<option value="${code}:${number}">${escapeHtml(label)}</option>`,
  ).join("");
  const declineOptions = DECLINES.map(
    ([value, label]) => `<option value="${value}">${escapeHtml(label)}</option>`,
  ).join("");
  const showCard = method === "card";
  return `<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>iamport sandbox 결제창</title>
<style>body{font-family:system-ui,sans-serif;margin:0;padding:20px;color:#222}h1{font-size:18px}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 12px}dt{color:#666;white-space:nowrap}dd{margin:0;overflow-wrap:anywhere}button{display:block;width:100%;margin:8px 0;padding:12px;font-size:15px;border-radius:6px;border:1px solid #888;background:#fff;cursor:pointer}
button.primary{background:#1a56db;color:#fff;border-color:#1a56db}label{display:block;margin:10px 0 4px;color:#666}select{width:100%;padding:6px}
.badge{display:inline-block;background:#fde68a;padding:2px 6px;border-radius:4px;font-size:12px}</style></head>
<body><main>
<h1>KICC 결제 <span class="badge">SANDBOX</span></h1>
<dl>
<dt>주문명</dt><dd>${escapeHtml(p.name)}</dd>
<dt>주문번호</dt><dd id="merchant-uid">${escapeHtml(p.merchant_uid)}</dd>
<dt>결제금액</dt><dd id="amount">${escapeHtml(p.amount)} ${escapeHtml(p.currency ?? "KRW")}</dd>
<dt>결제수단</dt><dd>${escapeHtml(method)}${p.escrow ? " (escrow)" : ""}</dd>
<dt>PG</dt><dd>${escapeHtml(p.pg ?? "kicc")}</dd>
</dl>
${showCard ? `<label for="card">Test card</label><select id="card" name="card">${cardOptions}</select>` : ""}
<button type="button" class="primary" id="approve">${primary}</button>
<label for="reason">Decline reason</label><select id="reason" name="reason">${declineOptions}</select>
<button type="button" id="decline">Decline</button>
<button type="button" id="close">Close window</button>
<p id="status" role="status"></p>
</main>
<script>
(function () {
  var id = ${JSON.stringify(session.id)};
  var busy = false;
  function send(outcome) {
    if (busy) return;
    busy = true;
    var cardSelect = document.getElementById("card");
    var card = cardSelect ? cardSelect.value.split(":") : null;
    document.getElementById("status").textContent = "처리 중...";
    fetch("/__sandbox/window/" + id + "/complete", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ outcome: outcome, card: card ? { code: card[0], number: card[1] } : undefined })
    }).then(function (res) { return res.json(); }).then(function (out) {
      if (out.error) { document.getElementById("status").textContent = out.error; return; }
      document.getElementById("status").textContent = out.rsp.success ? "완료" : (out.rsp.error_msg || "실패");
      if (out.redirect_url) { window.location.href = out.redirect_url; return; }
      if (window.parent !== window) window.parent.postMessage({ type: "imp-sandbox-result", rsp: out.rsp }, "*");
    });
  }
  document.getElementById("approve").addEventListener("click", function () { send("approve"); });
  document.getElementById("decline").addEventListener("click", function () {
    send({ decline: document.getElementById("reason").value });
  });
  document.getElementById("close").addEventListener("click", function () { send("close"); });
})();
</script></body></html>`;
}
