// Subscription page: pick a plan, register a card in KICC's billing-key window (POST /billing-keys, then
// IMP.request_pay with a customer_uid), then POST /subscriptions with an Idempotency-Key.
import { api, formatWon, h, loadConfig, loadScript, showError } from "./common.js";

// plan.name is what the API stores and the charge is named after (at most 40 characters).
const PLANS = [
  { id: "house", name: "House blend 500 g", amount: 18_900, interval: "month" },
  {
    id: "fortnight",
    name: "Espresso 250 g, every 2 weeks",
    amount: 11_500,
    interval: "week",
    interval_count: 2,
  },
  { id: "origin", name: "Single origin 2 x 200 g", amount: 24_000, interval: "month" },
  { id: "yearly", name: "House blend, yearly", amount: 198_000, interval: "year" },
];
/** "a month", "every 2 weeks". */
const per = (plan) =>
  (plan.interval_count ?? 1) === 1 ? `a ${plan.interval}` : `every ${plan.interval_count} ${plan.interval}s`;

const $ = (id) => document.getElementById(id);
const form = $("subscribe");
const status = $("status");
const errorBox = $("error");
const button = $("register");

const selected = (name) => form.querySelector(`input[name="${name}"]:checked`)?.value;
const plan = () => PLANS.find((p) => p.id === selected("plan")) ?? PLANS[0];

function fillOptions() {
  $("plans").append(
    ...PLANS.map((p, i) =>
      h(
        "label",
        { class: "inline" },
        h("input", { type: "radio", name: "plan", value: p.id, checked: i === 0 }),
        h("span", {}, `${p.name}: ${formatWon(p.amount)} ${per(p)}`),
      ),
    ),
  );
  // Today's day in Korea is the default billing day.
  const today = Number(
    new Intl.DateTimeFormat("en-US", { timeZone: "Asia/Seoul", day: "numeric" }).format(new Date()),
  );
  for (let day = 1; day <= 31; day++)
    $("anchor-day").append(h("option", { value: day, selected: day === today }, `${day}`));
}

function refresh() {
  const start = selected("start");
  $("anchor-fields").hidden = start !== "anchor";
  $("trial-fields").hidden = start !== "trial";
  const p = plan();
  // A billing day is a day of the month: only for monthly and yearly plans.
  const byDay = p.interval === "week" || p.interval === "day";
  for (const input of form.querySelectorAll('input[name="start"][value="anchor"]')) input.disabled = byDay;
  const when =
    start === "anchor" && !byDay
      ? `on day ${$("anchor-day").value}`
      : start === "trial"
        ? `after a ${$("trial-days").value}-day free trial`
        : "from today";
  $("summary").textContent = `${formatWon(p.amount)} ${per(p)}, ${when}`;
}

function buyer() {
  const out = { buyer_tel: $("buyer-tel").value.trim() };
  const name = $("buyer-name").value.trim();
  const email = $("buyer-email").value.trim();
  if (name) out.buyer_name = name;
  if (email) out.buyer_email = email;
  return out;
}

const FIELD_INPUTS = {
  buyer_tel: "buyer-tel",
  buyer_name: "buyer-name",
  buyer_email: "buyer-email",
  anchor_day: "anchor-day",
  trial_days: "trial-days",
};

function markInvalid(issues) {
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  const inputs = (issues ?? []).map((issue) => $(FIELD_INPUTS[issue.field] ?? "")).filter(Boolean);
  for (const input of inputs) input.setAttribute("aria-invalid", "true");
  inputs[0]?.focus({ preventScroll: true });
}

function finish(message) {
  status.textContent = message ?? "";
  button.disabled = false;
}

/** The registered card waiting to be subscribed: one Idempotency-Key for it, reused on every retry. */
let pending = null;

async function register(config, event) {
  event.preventDefault();
  errorBox.replaceChildren();
  $("retry-box").hidden = true;
  button.disabled = true;
  status.textContent = "Asking the server for a card registration window…";
  const p = plan();
  const issued = await api(config, "/billing-keys", {
    method: "POST",
    body: { ...buyer(), name: `${p.name} card` },
  });
  if (!issued.ok) {
    showError(errorBox, "The card registration could not start.", issued);
    markInvalid(issued.body?.issues);
    return finish();
  }
  markInvalid([]);
  const body = {
    customer_uid: issued.body.customer_uid,
    plan: {
      name: p.name,
      amount: p.amount,
      interval: p.interval,
      ...(p.interval_count ? { interval_count: p.interval_count } : {}),
    },
    ...buyer(),
  };
  const byDay = p.interval === "week" || p.interval === "day";
  if (selected("start") === "anchor" && !byDay) body.anchor_day = Number($("anchor-day").value);
  if (selected("start") === "trial") body.trial_days = Number($("trial-days").value);
  window.IMP.init(config.merchantCode);
  // The sandbox's SDK would pick the redirect flow on a phone; this page handles the PC callback.
  if (config.iamport === "sandbox") window.IMP.sandbox = { mode: "pc" };
  status.textContent = "Register your card in the window (nothing is charged there)…";
  window.IMP.request_pay(issued.body.request_pay, (rsp) =>
    onCard(config, body, rsp).catch((error) => {
      showError(errorBox, `Something went wrong: ${error.message}`);
      finish();
    }),
  );
}

/** The window's answer. Success means iamport holds a billing key; the server verifies it before subscribing. */
async function onCard(config, body, rsp) {
  if (!rsp.success) {
    showError(errorBox, `The card was not registered: ${rsp.error_msg || "the window was closed"}.`);
    return finish();
  }
  pending = { body, key: crypto.randomUUID() };
  await subscribe(config);
}

async function subscribe(config) {
  errorBox.replaceChildren();
  $("retry-box").hidden = true;
  button.disabled = true;
  status.textContent = "Card registered. Subscribing…";
  const res = await api(config, "/subscriptions", {
    method: "POST",
    body: pending.body,
    headers: { "idempotency-key": pending.key },
  });
  if (!res.ok) {
    showError(errorBox, "The subscription was refused.", res);
    markInvalid(res.body?.issues);
    // A timeout or a 5xx may be retried safely: the same key and body give the same subscription.
    $("retry-box").hidden = !(res.status === 0 || res.status >= 500);
    return finish();
  }
  pending = null;
  window.location.assign(`/shop/subscription.html?id=${encodeURIComponent(res.body.id)}&new=1`);
}

async function main() {
  fillOptions();
  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  refresh();
  button.disabled = true;
  try {
    const config = await loadConfig();
    await loadScript(config.sdkUrl);
    form.addEventListener("submit", (event) =>
      register(config, event).catch((error) => {
        showError(errorBox, `Something went wrong: ${error.message}`);
        finish();
      }),
    );
    $("retry").addEventListener("click", () =>
      subscribe(config).catch((error) => {
        showError(errorBox, `Something went wrong: ${error.message}`);
        finish();
      }),
    );
    button.disabled = false;
    form.dataset.ready = "true";
  } catch (error) {
    showError(errorBox, `The payment SDK could not load: ${error.message}. Is the stack running?`);
  }
}

main();
