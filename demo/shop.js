// Product page: builds a KICC order, creates it with POST /orders, then pays with the IMP SDK.
import { api, formatWon, h, loadConfig, loadScript, showError } from "./common.js";

const UNIT_PRICE = 12_000;
// A few KFTC card codes KICC accepts (the API validates the full list).
const CARDS = [
  ["366", "신한"],
  ["381", "KB국민"],
  ["365", "삼성"],
  ["361", "BC"],
  ["367", "현대"],
  ["368", "롯데"],
  ["371", "NH농협"],
  ["041", "우리"],
  ["374", "하나"],
  ["10005", "Visa"],
  ["10004", "Master"],
];

const form = document.getElementById("checkout");
const $ = (id) => document.getElementById(id);
const status = $("status");
const errorBox = $("error");
const payButton = $("pay");

const selected = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value;
const quantity = () => Math.min(10, Math.max(1, Number.parseInt($("quantity").value, 10) || 1));
const amount = () => quantity() * UNIT_PRICE;

function fillCardOptions() {
  for (const [code, name] of CARDS)
    $("direct-code").append(h("option", { value: code }, `${name} (${code})`));
  for (let months = 2; months <= 12; months++)
    $("direct-quota").append(h("option", { value: months }, `${months} months`));
  $("detail-list").append(
    ...CARDS.map(([code, name]) =>
      h(
        "label",
        {},
        h("input", { type: "checkbox", name: "detail", value: code, checked: true }),
        ` ${name}`,
      ),
    ),
  );
}

/** Shows only the options that apply to the chosen method; the API enforces the same rules. */
function refresh() {
  const method = selected("pay_method");
  for (const box of form.querySelectorAll("[data-for]"))
    box.hidden = !box.dataset.for.split(" ").includes(method);
  $("direct-fields").hidden = !$("direct").checked;
  $("detail-fields").hidden = !$("limit-cards").checked;
  const total = formatWon(amount());
  $("total").textContent = total;
  payButton.textContent = `Pay ${total}`;
}

/** The POST /orders body; only what the chosen method uses. */
function orderBody() {
  const method = selected("pay_method");
  const body = {
    name: quantity() > 1 ? `Blue mug x${quantity()}` : "Blue mug",
    amount: amount(),
    pay_method: method,
    buyer_tel: $("buyer-tel").value.trim(),
  };
  const name = $("buyer-name").value.trim();
  const email = $("buyer-email").value.trim();
  if (name) body.buyer_name = name;
  if (email) body.buyer_email = email;
  if (method === "card") {
    const card = {};
    if ($("direct").checked)
      card.direct = { code: $("direct-code").value, quota: Number($("direct-quota").value) };
    if ($("limit-cards").checked) {
      // "*" off first, then the chosen cards on: the window offers exactly those.
      const codes = [...form.querySelectorAll('input[name="detail"]:checked')].map((box) => box.value);
      card.detail = [
        { card_code: "*", enabled: false },
        ...codes.map((code) => ({ card_code: code, enabled: true })),
      ];
    }
    if (card.direct || card.detail) body.card = card;
  }
  if ((method === "trans" || method === "vbank") && $("escrow").checked) {
    body.escrow = true;
    body.kiccProducts = [
      { orderNumber: "mug-blue", name: "Blue mug", quantity: quantity(), amount: amount() },
    ];
  }
  if (method === "vbank" && $("vbank-due").value) body.vbank_due = $("vbank-due").value;
  if (method === "phone") body.digital = $("digital").checked;
  return body;
}

// Which control to point at when the API names a field.
const FIELD_INPUTS = {
  amount: "quantity",
  name: "quantity",
  buyer_tel: "buyer-tel",
  buyer_name: "buyer-name",
  buyer_email: "buyer-email",
  "card.direct.code": "direct-code",
  "card.direct.quota": "direct-quota",
  "card.detail": "limit-cards",
  card: "direct",
  escrow: "escrow",
  kiccProducts: "escrow",
  vbank_due: "vbank-due",
  digital: "digital",
};

/** Marks the fields the API refused and moves focus to the first one. */
function markInvalid(issues) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const inputs = (issues ?? [])
    .map((issue) => $(FIELD_INPUTS[issue.field] ?? FIELD_INPUTS[String(issue.field).split(".")[0]] ?? ""))
    .filter((input) => input && !input.closest("[hidden]"));
  for (const input of inputs) input.setAttribute("aria-invalid", "true");
  // The list of problems stays in view by the Pay button; keyboard focus goes to the first field.
  inputs[0]?.focus({ preventScroll: true });
}

/** The result page, as the mobile redirect sends it: a status and a reason code, never the window's text. */
function resultUrl(merchantUid, orderStatus, reason) {
  const url = new URL("/shop/result.html", window.location.href);
  url.searchParams.set("merchant_uid", merchantUid);
  url.searchParams.set("status", orderStatus);
  url.searchParams.set("reason", reason);
  return url.toString();
}

function finish(message) {
  status.textContent = message ?? "";
  payButton.disabled = false;
}

async function pay(config, event) {
  event.preventDefault();
  errorBox.replaceChildren();
  payButton.disabled = true;
  status.textContent = "Creating the order…";
  // One key per checkout attempt: a double click or a network retry returns the same order.
  const created = await api(config, "/orders", {
    method: "POST",
    body: orderBody(),
    headers: { "idempotency-key": crypto.randomUUID() },
  });
  if (!created.ok) {
    showError(errorBox, "The order was refused.", created);
    markInvalid(created.body?.issues);
    return finish();
  }
  markInvalid([]);
  const params = { ...created.body.request_pay };
  if ($("tamper").checked) params.amount = 100;
  window.IMP.init(config.merchantCode);
  // The sandbox's SDK picks PC or mobile from the user agent; the demo lets you choose.
  if (config.iamport === "sandbox") window.IMP.sandbox = { mode: selected("mode") };
  status.textContent = `Order ${params.merchant_uid} created. The payment window is open…`;
  window.IMP.request_pay(params, (rsp) => onCallback(config, params.merchant_uid, rsp));
}

/** PC mode: the SDK's callback. Its rsp is a hint; the server checks iamport's own record. */
async function onCallback(config, merchantUid, rsp) {
  if (!rsp.imp_uid) {
    // Refused before any payment existed (a wrong amount, a closed window on some PGs).
    window.location.assign(resultUrl(merchantUid, "pending", "no_payment"));
    return;
  }
  status.textContent = "Checking the payment with the server…";
  const verified = await api(config, "/payments/complete", {
    method: "POST",
    body: { imp_uid: rsp.imp_uid, merchant_uid: merchantUid },
    key: false,
  });
  if (!verified.ok) {
    showError(errorBox, "The server could not confirm the payment.", verified);
    return finish();
  }
  window.location.assign(resultUrl(merchantUid, verified.body.status, "verified"));
}

async function main() {
  fillCardOptions();
  // A phone gets the redirect flow by default, as the real SDK would choose.
  if (/Mobi|Android|iPhone|iPad|iPod/i.test(navigator.userAgent))
    form.querySelector('input[name="mode"][value="mobile"]').checked = true;
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
  payButton.disabled = true;
  try {
    const config = await loadConfig();
    await loadScript(config.sdkUrl);
    form.addEventListener("submit", (event) =>
      pay(config, event).catch((error) => {
        showError(errorBox, `Something went wrong: ${error.message}`);
        finish();
      }),
    );
    payButton.disabled = false;
    form.dataset.ready = "true";
  } catch (error) {
    showError(errorBox, `The payment SDK could not load: ${error.message}. Is the stack running?`);
  }
}

main();
