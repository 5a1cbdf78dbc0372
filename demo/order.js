// Result and order pages: the verified order from GET /orders/{merchant_uid}, its history,
// the virtual account, and a refund form (POST /orders/{merchant_uid}/refunds).
import {
  api,
  badge,
  formatTime,
  formatWon,
  h,
  kstText,
  loadConfig,
  sandbox,
  showError,
  sleep,
} from "./common.js";
import { eventsSection, latestChange } from "./events.js";

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(window.location.search);
const merchantUid = query.get("merchant_uid");
// The redirect's reason code (lib/orders/result-url.ts). Text in the address is never shown: anyone can
// write a link with any words in it, and this page shows only what the server verified.
const redirectReason = query.get("reason");
const NOT_PAID = {
  no_payment: "Not paid: no payment was made (the payment window refused the request or was closed).",
  refused: "Not paid: the payment could not be accepted for this order.",
};
const banner = $("banner");
const view = $("order-view");

// Bank codes iamport uses for vbank refunds (the buyer's own account).
const BANKS = [
  ["004", "KB국민"],
  ["088", "신한"],
  ["020", "우리"],
  ["081", "하나"],
  ["011", "NH농협"],
  ["003", "IBK기업"],
  ["090", "카카오뱅크"],
  ["089", "케이뱅크"],
];
const REFUNDABLE = ["paid", "partially_refunded"];

function setBanner(kind, text) {
  banner.hidden = false;
  banner.className = `banner ${kind}`;
  banner.textContent = text;
}

function describe(order) {
  const v = order.vbank;
  switch (order.status) {
    case "paid":
      return ["ok", `Payment complete: ${formatWon(order.amount)} received. Thank you!`];
    case "awaiting_deposit":
      return [
        "warn",
        `Virtual account issued: deposit ${formatWon(order.amount)} to ${v?.bank_name ?? ""} ${v?.number ?? ""} by ${formatTime(v?.due_at)}.`,
      ];
    case "pending":
      return NOT_PAID[redirectReason]
        ? ["bad", NOT_PAID[redirectReason]]
        : ["warn", "Waiting for the payment to be confirmed…"];
    case "failed":
      return ["bad", `Payment failed: ${order.fail_reason ?? "no reason given"}`];
    case "partially_refunded":
      return ["ok", `Paid; ${formatWon(order.refunded_amount)} of it refunded.`];
    case "refunded":
      return ["ok", `Refunded in full (${formatWon(order.refunded_amount)}).`];
    case "expired":
      return ["bad", "The deposit deadline passed; the order expired."];
    case "forged":
      return [
        "bad",
        order.forgery?.refund === "done"
          ? `The amount paid did not match the order: it was refunded in full (${formatWon(order.refunded_amount)}) and flagged.`
          : "The amount paid did not match the order: it is being refunded in full, and flagged.",
      ];
    default:
      return ["warn", `Order status: ${order.status}`];
  }
}

const fact = (term, ...value) => [h("dt", {}, term), h("dd", {}, ...value)];

function summary(order) {
  const refundable = order.refundable_amount ?? 0;
  return h(
    "section",
    { class: "card", "aria-labelledby": "summary-h" },
    h("h2", { id: "summary-h", style: "margin-top:0" }, "Order"),
    h(
      "dl",
      { class: "facts" },
      fact("Order number", h("code", { id: "merchant-uid" }, order.merchant_uid)),
      fact("Status", h("span", { id: "order-status" }, badge(order.status))),
      fact("Product", order.name),
      fact("Amount", formatWon(order.amount)),
      fact("Method", order.pay_method, order.escrow ? " (escrow)" : ""),
      fact("iamport payment", order.imp_uid ? h("code", {}, order.imp_uid) : "—"),
      fact("Paid at", formatTime(order.paid_at)),
      fact("Refunded", h("span", { id: "refunded" }, formatWon(order.refunded_amount ?? 0))),
      fact("Refundable", h("span", { id: "refundable" }, formatWon(refundable))),
      fact("Created", formatTime(order.created_at)),
    ),
  );
}

function vbankSection(config, order, reload) {
  const v = order.vbank;
  if (!v) return null;
  const section = h(
    "section",
    { class: "card", "aria-labelledby": "vbank-h" },
    h("h2", { id: "vbank-h", style: "margin-top:0" }, "Virtual account"),
    h(
      "dl",
      { class: "facts" },
      fact("Bank", v.bank_name),
      fact("Account number", h("code", { id: "vbank-number" }, v.number)),
      fact("Holder", v.holder),
      fact("Deposit by", formatTime(v.due_at)),
    ),
  );
  if (order.status === "awaiting_deposit" && config.sandboxUrl && order.imp_uid) {
    const note = h("p", { class: "hint", role: "status" });
    const button = h(
      "button",
      {
        type: "button",
        onclick: async () => {
          button.disabled = true;
          note.textContent = "Depositing in the sandbox; the webhook will tell the server…";
          try {
            await sandbox(config, `/payments/${encodeURIComponent(order.imp_uid)}/deposit`, {
              method: "POST",
              body: {},
            });
            await reload({ until: (next) => next.status !== "awaiting_deposit" });
          } catch (error) {
            note.textContent = `Deposit refused: ${error.message}`;
            button.disabled = false;
          }
        },
      },
      "Simulate the deposit (sandbox)",
    );
    section.append(h("div", { class: "actions" }, button), note);
  }
  return section;
}

function forgerySection(order) {
  const f = order.forgery;
  if (!f) return null;
  return h(
    "section",
    { class: "card", "aria-labelledby": "forgery-h" },
    h("h2", { id: "forgery-h", style: "margin-top:0" }, "Amount mismatch"),
    h(
      "dl",
      { class: "facts" },
      fact("Expected", formatWon(f.expected_amount)),
      fact("Paid", formatWon(f.paid_amount)),
      fact("Refund", `${f.refund} (${formatWon(f.refunded_amount)})`),
    ),
  );
}

function table(caption, headers, rows, id) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id },
      h("caption", { class: "visually-hidden" }, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          headers.map((text) => h("th", { scope: "col" }, text)),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );
}

function historySection(order) {
  const rows = (order.history ?? []).map((event) =>
    h(
      "tr",
      {},
      h("td", {}, formatTime(event.at)),
      h("td", {}, event.from ? badge(event.from) : "—", " → ", badge(event.to)),
      h("td", {}, event.source),
      h("td", {}, kstText(event.reason)),
    ),
  );
  return h(
    "section",
    { "aria-labelledby": "history-h" },
    h("h2", { id: "history-h" }, "History"),
    rows.length
      ? table("Order history", ["When", "Change", "Source", "Why"], rows, "history")
      : h("p", {}, "No changes yet."),
  );
}

function refundsSection(order) {
  if (!order.refunds?.length) return null;
  const rows = order.refunds.map((refund) =>
    h(
      "tr",
      {},
      h("td", {}, formatTime(refund.cancelled_at)),
      h("td", {}, formatWon(refund.amount)),
      h("td", {}, kstText(refund.reason)),
      h("td", {}, h("code", {}, refund.cancellation_id)),
    ),
  );
  return h(
    "section",
    { "aria-labelledby": "refunds-h" },
    h("h2", { id: "refunds-h" }, "Refunds"),
    table("Refunds", ["When", "Amount", "Reason", "Cancellation"], rows, "refunds"),
  );
}

function refundForm(config, order, reload) {
  const refundable = order.refundable_amount ?? 0;
  if (!REFUNDABLE.includes(order.status) || refundable <= 0) return null;
  const status = h("div", { class: "status-box", role: "status", "aria-live": "polite" });
  const error = h("div", { class: "error-box", role: "alert" });
  const amount = h("input", {
    id: "refund-amount",
    name: "amount",
    type: "number",
    min: 1,
    max: refundable,
    inputmode: "numeric",
    disabled: true,
    "aria-describedby": "refund-amount-hint",
  });
  const partial = h("input", { type: "radio", name: "kind", value: "partial" });
  const full = h("input", { type: "radio", name: "kind", value: "full", checked: true });
  const onKind = () => {
    amount.disabled = !partial.checked;
    if (partial.checked) amount.focus();
  };
  full.addEventListener("change", onKind);
  partial.addEventListener("change", onKind);
  const reason = h("input", {
    id: "refund-reason",
    name: "reason",
    type: "text",
    required: true,
    maxlength: 200,
  });
  const vbank = order.pay_method === "vbank";
  const holder = h("input", { id: "refund-holder", name: "refund_holder", type: "text" });
  const bank = h(
    "select",
    { id: "refund-bank", name: "refund_bank" },
    BANKS.map(([code, name]) => h("option", { value: code }, `${name} (${code})`)),
  );
  const account = h("input", {
    id: "refund-account",
    name: "refund_account",
    type: "text",
    inputmode: "numeric",
  });
  const submit = h("button", { type: "submit", class: "primary" }, "Refund");
  // One Idempotency-Key per intended refund: resending after a timeout cannot refund twice.
  let key = crypto.randomUUID();

  const form = h(
    "form",
    { id: "refund-form", class: "card", "aria-labelledby": "refund-h", novalidate: true },
    h("h2", { id: "refund-h", style: "margin-top:0" }, "Refund"),
    h(
      "fieldset",
      { class: "inline" },
      h("legend", {}, "How much"),
      h("label", {}, full, ` Full: the remaining ${formatWon(refundable)}`),
      h("label", {}, partial, " Part of it"),
    ),
    h("label", { for: "refund-amount" }, "Amount to refund (원)"),
    amount,
    h("p", { class: "hint", id: "refund-amount-hint" }, `At most ${formatWon(refundable)}.`),
    h("label", { for: "refund-reason" }, "Reason (the buyer sees it)"),
    reason,
    vbank
      ? h(
          "fieldset",
          {},
          h("legend", {}, "Refund to the buyer's account (virtual account payments)"),
          h("label", { for: "refund-holder" }, "Account holder"),
          holder,
          h("label", { for: "refund-bank" }, "Bank"),
          bank,
          h("label", { for: "refund-account" }, "Account number"),
          account,
        )
      : null,
    h("div", { class: "actions" }, submit),
    status,
    error,
  );
  form.addEventListener("input", () => {
    key = crypto.randomUUID();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.replaceChildren();
    status.textContent = "";
    if (!reason.value.trim()) {
      showError(error, "Give a reason for the refund.");
      reason.focus();
      return;
    }
    const body = { reason: reason.value.trim() };
    if (partial.checked) body.amount = Number(amount.value);
    if (vbank)
      Object.assign(body, {
        refund_holder: holder.value.trim(),
        refund_bank: bank.value,
        refund_account: account.value.trim(),
      });
    submit.disabled = true;
    status.textContent = "Refunding…";
    const res = await api(config, `/orders/${encodeURIComponent(order.merchant_uid)}/refunds`, {
      method: "POST",
      body,
      headers: { "idempotency-key": key },
    });
    submit.disabled = false;
    if (!res.ok) {
      status.textContent = "";
      showError(error, "The refund was refused.", res);
      return;
    }
    key = crypto.randomUUID();
    status.textContent = "Refunded.";
    await reload({ until: (next) => next.refunded_amount !== order.refunded_amount });
  });
  return form;
}

async function fetchOrder(config) {
  return api(config, `/orders/${encodeURIComponent(merchantUid)}`);
}

function render(config, order, reload) {
  const [kind, text] = describe(order);
  setBanner(kind, text);
  document.title = `Order ${order.merchant_uid} (${order.status}) — demo storefront`;
  const cards = [
    summary(order),
    vbankSection(config, order, reload),
    forgerySection(order),
    refundForm(config, order, reload),
  ];
  const retry = ["pending", "failed", "expired"].includes(order.status)
    ? h("p", {}, h("a", { href: "/shop/" }, "Back to the shop to try again"))
    : null;
  view.replaceChildren(
    ...(retry ? [retry] : []),
    h("div", { class: "grid2" }, cards),
    ...[historySection(order), refundsSection(order)].filter(Boolean),
    eventsSection(order.merchant_uid, { since: latestChange(order.history) }),
  );
  view.dataset.status = order.status;
}

async function main() {
  const config = await loadConfig();
  const lookup = $("lookup");
  if (lookup) {
    $("lookup-uid").value = merchantUid ?? "";
    if (!merchantUid) $("lookup-uid").focus();
  }
  if (!merchantUid) {
    if (!lookup) setBanner("bad", "No order number in the address.");
    return;
  }
  // Reloads the order; with `until`, polls (at most 10 times, 1 s apart) until it holds.
  const reload = async ({ until } = {}) => {
    for (let attempt = 0; attempt < 10; attempt++) {
      const res = await fetchOrder(config);
      if (!res.ok) {
        setBanner("bad", res.status === 404 ? `No order ${merchantUid}.` : "The order could not be loaded.");
        showError(view, "The API answered:", res);
        return;
      }
      render(config, res.body, reload);
      if (!until || until(res.body)) return;
      await sleep(1000);
    }
  };
  // Straight back from the payment window, the webhook or the redirect may still be on its way.
  const justPaid = query.has("status") && !NOT_PAID[redirectReason];
  await reload(justPaid ? { until: (order) => order.status !== "pending" } : {});
  view.dataset.ready = "true";
}

main().catch((error) => setBanner("bad", `Something went wrong: ${error.message}`));
