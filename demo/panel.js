// Sandbox panel: reads and drives the iamport sandbox through its control API (/__sandbox/...,
// CORS open) and runs this stack's scheduled functions (/__local/...).
import { badge, formatTime, formatWon, h, loadConfig, sandbox, showError } from "./common.js";
import { eventsSection } from "./events.js";

const $ = (id) => document.getElementById(id);
const statusBox = $("panel-status");
const errorBox = $("panel-error");
/** Auto-refresh stops by itself after this long, so a forgotten tab does not poll forever. */
const AUTO_REFRESH_LIMIT_MS = 10 * 60 * 1000;
const WEBHOOK_FAULTS_KEY = "sandbox-panel:webhook-faults";

let config;

function say(text) {
  errorBox.replaceChildren();
  statusBox.textContent = text;
}

/** Runs an action; shows its error instead of throwing. */
async function act(label, fn) {
  try {
    await fn();
    say(label);
    await refresh();
  } catch (error) {
    statusBox.textContent = "";
    showError(errorBox, `${label} failed: ${error.message}`);
  }
}

/** An order's page, a subscription charge's subscription (`sub_<id>_<cycle>_<attempt>`), or just the id. */
function orderLink(merchantUid) {
  const charge = /^(sub_[A-Za-z0-9]{16})_\d+_\d+$/.exec(merchantUid ?? "");
  if (charge)
    return h("a", { href: `/shop/subscription.html?id=${encodeURIComponent(charge[1])}` }, merchantUid);
  // A billing-key window's payment (KICC charges nothing there) has no order.
  if (/^bk_/.test(merchantUid ?? "")) return h("code", {}, merchantUid);
  return h("a", { href: `/shop/order.html?merchant_uid=${encodeURIComponent(merchantUid)}` }, merchantUid);
}

/** Each cell names its column (`data-label`), so a narrow screen can show a row as a stack of labelled lines. */
function labelled(rows, headers) {
  for (const row of rows)
    for (const [i, cell] of [...row.children].entries()) cell.dataset.label = headers[i] ?? "";
  return rows;
}

function table(id, caption, headers, rows, empty) {
  if (rows.length === 0) return h("p", { id }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { id, class: "stack" },
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
      h("tbody", {}, labelled(rows, headers)),
    ),
  );
}

function renderPayments(payments) {
  const sorted = [...payments].sort((a, b) => (b.started_at ?? 0) - (a.started_at ?? 0));
  const rows = sorted.map((p) => {
    const actions = [];
    if (p.pay_method === "vbank" && p.status === "ready" && p.vbank_num) {
      actions.push(
        h(
          "button",
          {
            type: "button",
            "aria-label": `Simulate deposit for ${p.merchant_uid}`,
            onclick: () =>
              act(`Deposited ${formatWon(p.amount)} into ${p.vbank_num}`, () =>
                sandbox(config, `/payments/${encodeURIComponent(p.imp_uid)}/deposit`, {
                  method: "POST",
                  body: {},
                }),
              ),
          },
          "Simulate deposit",
        ),
      );
    }
    return h(
      "tr",
      { "data-imp-uid": p.imp_uid },
      h("td", {}, h("code", {}, p.imp_uid)),
      h("td", {}, orderLink(p.merchant_uid)),
      h("td", {}, p.pay_method, p.escrow ? " (escrow)" : ""),
      h("td", {}, formatWon(p.amount)),
      h("td", {}, badge(p.status)),
      h("td", {}, p.cancel_amount ? formatWon(p.cancel_amount) : "—"),
      h("td", {}, p.vbank_num ? `${p.vbank_name} ${p.vbank_num} (by ${formatTime(p.vbank_date)})` : "—"),
      h("td", {}, actions),
    );
  });
  $("payments").replaceChildren(
    table(
      "payments-table",
      "Payments",
      ["imp_uid", "Order", "Method", "Amount", "Status", "Cancelled", "Virtual account", "Actions"],
      rows,
      "No payments yet: pay something in the shop.",
    ),
  );
  const select = $("cancel-imp");
  const current = select.value;
  select.replaceChildren(
    ...sorted
      .filter((p) => p.status === "paid" || (p.status === "ready" && p.vbank_num))
      .map((p) =>
        h(
          "option",
          { value: p.imp_uid },
          `${p.merchant_uid} · ${formatWon(p.amount - (p.cancel_amount ?? 0))} left`,
        ),
      ),
  );
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

function renderWebhooks(deliveries) {
  const rows = [...deliveries]
    .reverse()
    .map((d) =>
      h(
        "tr",
        {},
        h("td", {}, new Date(d.attempted_at_ms).toLocaleTimeString("en-GB", { hour12: false })),
        h("td", {}, badge(d.body.status)),
        h("td", {}, orderLink(d.body.merchant_uid)),
        h("td", {}, h("code", {}, d.body.imp_uid)),
        h("td", {}, String(d.attempt)),
        h(
          "td",
          {},
          d.error
            ? h("span", { class: "badge bad" }, d.error)
            : h("span", { class: `badge ${d.status < 300 ? "ok" : "bad"}` }, `HTTP ${d.status}`),
        ),
        h("td", {}, d.fault ?? ""),
      ),
    );
  $("webhooks").replaceChildren(
    table(
      "webhooks-table",
      "Webhook deliveries, newest first",
      ["When", "Event", "Order", "imp_uid", "Attempt", "Answer", "Fault"],
      rows,
      "No webhooks sent yet.",
    ),
  );
}

function renderFaults(faults) {
  $("faults").replaceChildren(
    ...(faults.length
      ? faults.map((f) =>
          h(
            "li",
            {},
            h("code", {}, `${f.method ?? "ANY"} ${f.path}`),
            ` → ${f.kind}${f.kind === "status" ? ` ${f.status ?? 500}` : ""}${f.kind === "latency" ? ` ${f.ms ?? 1000} ms` : ""}`,
            f.times !== undefined ? `, ${f.times} left` : ", always",
          ),
        )
      : [h("li", {}, "None: iamport answers normally.")]),
  );
}

function webhookFaults() {
  try {
    return JSON.parse(sessionStorage.getItem(WEBHOOK_FAULTS_KEY) ?? "[]");
  } catch {
    return [];
  }
}

function renderWebhookFaults() {
  const list = webhookFaults();
  $("webhook-faults").replaceChildren(
    ...(list.length
      ? list.map((f) =>
          h("li", {}, `${f.kind}${f.kind === "delay" ? ` ${f.ms} ms` : ""} × ${f.times} (set ${f.at})`),
        )
      : [h("li", {}, "None.")]),
  );
}

async function renderJobs() {
  const res = await fetch("/__local/schedules");
  const jobs = res.ok ? (await res.json()).jobs : [];
  $("jobs").replaceChildren(
    ...(jobs.length
      ? jobs.map((job) =>
          h(
            "li",
            {},
            h("code", {}, job.functionName),
            ` ${job.rates.join(", ")} `,
            job.lastRun
              ? `· last ${job.lastRun.ok ? "ok" : "FAILED"} ${formatTime(job.lastRun.startedAt)} `
              : "",
            h(
              "button",
              {
                type: "button",
                "aria-label": `Run ${job.functionName} now`,
                onclick: () =>
                  act(`Ran ${job.functionName}`, async () => {
                    const run = await fetch(`/__local/run/${encodeURIComponent(job.functionName)}`, {
                      method: "POST",
                      headers: { "content-type": "application/json" },
                      body: "{}",
                    });
                    const record = await run.json();
                    $("job-result").replaceChildren(h("pre", {}, JSON.stringify(record, null, 2)));
                    if (!run.ok || !record.ok)
                      throw new Error(record.error ?? record.message ?? `HTTP ${run.status}`);
                  }),
              },
              "Run now",
            ),
          ),
        )
      : [h("li", {}, "No scheduled functions in serverless.yml yet.")]),
  );
}

function renderBilling(declines, keys) {
  $("declines").replaceChildren(
    ...(declines.length
      ? declines.map((d) =>
          h(
            "li",
            {},
            h("code", {}, d.customer_uid ?? d.card_number ?? d.card_code),
            ` → ${d.reason}${d.answer ? ` (answered ${d.answer})` : ""}`,
          ),
        )
      : [h("li", {}, "None: charges go through.")]),
  );
  $("billing-keys").replaceChildren(
    ...[...keys]
      .sort((a, b) => (b.inserted ?? 0) - (a.inserted ?? 0))
      .map((k) => h("option", { value: k.customer_uid }, `${k.card_name} ${k.card_number}`)),
  );
}

/** The SQS stand-in's queues (`GET /__local/queues`): charges waiting, in flight, or in the DLQ. */
async function renderQueues() {
  const res = await fetch("/__local/queues");
  if (!res.ok) {
    $("queues").replaceChildren(h("p", {}, "The queues cannot be read from this stack."));
    return;
  }
  const { queues } = await res.json();
  const rows = queues.flatMap((queue) =>
    queue.messages.map((m) =>
      h(
        "tr",
        {},
        h("td", {}, queue.name),
        h("td", {}, badge(m.state)),
        h(
          "td",
          {},
          m.body?.subscriptionId
            ? [orderLink(`${m.body.subscriptionId}_${m.body.cycle}_${m.body.attempt}`)]
            : h("code", {}, JSON.stringify(m.body)),
        ),
        h("td", {}, String(m.receive_count)),
        h("td", {}, formatTime(m.sent_at)),
      ),
    ),
  );
  const names = queues
    .map(
      (q) => `${q.name}${q.consumers.length ? ` (→ ${q.consumers.join(", ")})` : ""}: ${q.messages.length}`,
    )
    .join(" · ");
  $("queues").replaceChildren(
    h("p", { class: "hint" }, names),
    table(
      "queue-table",
      "Messages in the SQS stand-in",
      ["Queue", "State", "Charge (subscription_cycle_attempt)", "Receives", "Sent"],
      rows,
      "Empty: every charge was handled. A charge handed back waits here until its visibility timeout ends.",
    ),
  );
}

/** One select per behaviour mode (GET /__sandbox/modes: the modes in force and every choice, default first). */
function renderModes({ modes, choices }) {
  const form = $("modes");
  // Keep a choice the user is making while auto-refresh runs.
  if (form.contains(document.activeElement)) return;
  form.replaceChildren(
    ...Object.entries(choices).map(([name, values]) =>
      h(
        "div",
        {},
        h("label", { for: `mode-${name}` }, name),
        h(
          "select",
          { id: `mode-${name}`, name },
          values.map((value, i) => {
            const option = h("option", { value }, i === 0 ? `${value} (default)` : value);
            if (modes[name] === value) option.selected = true;
            return option;
          }),
        ),
      ),
    ),
  );
}

async function refresh() {
  const [info, payments, deliveries, faults, declines, keys, modes] = await Promise.all([
    sandbox(config, "/info"),
    sandbox(config, "/payments"),
    sandbox(config, "/webhooks"),
    sandbox(config, "/faults"),
    sandbox(config, "/declines"),
    sandbox(config, "/billing-keys"),
    sandbox(config, "/modes"),
  ]);
  $("clock").textContent = `${formatTime(info.now)} (${info.now})`;
  $("info").replaceChildren(
    h("dt", {}, "Sandbox"),
    h("dd", {}, info.url),
    h("dt", {}, "IMP.init code"),
    h("dd", {}, info.merchantCode),
    h("dt", {}, "KICC MID"),
    h("dd", {}, info.kiccMid),
    h("dt", {}, "Billing MID"),
    h("dd", {}, info.billingMid),
  );
  renderPayments(payments);
  renderWebhooks(deliveries);
  renderFaults(faults);
  renderWebhookFaults();
  renderBilling(declines, keys);
  renderModes(modes);
  await Promise.all([renderJobs(), renderQueues()]);
  $("events-panel").replaceChildren(eventsSection(undefined, { limit: 30 }));
  $("panel").dataset.loaded = String(Date.now());
}

function wire() {
  $("refresh").addEventListener("click", () => act("Refreshed", async () => {}));
  let timer = null;
  let stopAt = 0;
  $("auto").addEventListener("change", (event) => {
    clearInterval(timer);
    if (!event.target.checked) return;
    stopAt = Date.now() + AUTO_REFRESH_LIMIT_MS;
    timer = setInterval(() => {
      if (Date.now() > stopAt) {
        clearInterval(timer);
        event.target.checked = false;
        return;
      }
      if (!document.hidden) refresh().catch(() => undefined);
    }, 2000);
  });
  $("clock-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const seconds = Number($("advance-amount").value) * Number($("advance-unit").value);
    act(`Clock advanced by ${seconds} s`, () =>
      sandbox(config, "/clock/advance", { method: "POST", body: { seconds } }),
    );
  });
  $("webhook-fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const rule = { kind: $("wh-kind").value, times: Number($("wh-times").value) || 1 };
    if (rule.kind === "delay") rule.ms = Number($("wh-ms").value) || 0;
    act(`Webhook fault added: ${rule.kind} × ${rule.times}`, async () => {
      await sandbox(config, "/webhook-faults", { method: "POST", body: rule });
      const at = new Date().toLocaleTimeString("en-GB", { hour12: false });
      sessionStorage.setItem(WEBHOOK_FAULTS_KEY, JSON.stringify([...webhookFaults(), { ...rule, at }]));
    });
  });
  $("clear-webhook-faults").addEventListener("click", () =>
    act("Webhook faults cleared", async () => {
      await sandbox(config, "/webhook-faults", { method: "DELETE" });
      sessionStorage.removeItem(WEBHOOK_FAULTS_KEY);
    }),
  );
  $("fault-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const rule = { path: $("fault-path").value.trim(), kind: $("fault-kind").value };
    if ($("fault-method").value) rule.method = $("fault-method").value;
    if (rule.kind === "status") rule.status = Number($("fault-status").value) || 500;
    if (rule.kind === "latency") rule.ms = Number($("fault-ms").value) || 0;
    if ($("fault-times").value) rule.times = Number($("fault-times").value);
    act(`API fault added on ${rule.path}`, () => sandbox(config, "/faults", { method: "POST", body: rule }));
  });
  $("clear-faults").addEventListener("click", () =>
    act("API faults cleared", () => sandbox(config, "/faults", { method: "DELETE" })),
  );
  $("cancel-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const impUid = $("cancel-imp").value;
    if (!impUid) return showError(errorBox, "No payment to cancel.");
    const body = { reason: $("cancel-reason").value };
    if ($("cancel-amount").value) body.amount = Number($("cancel-amount").value);
    act(`Cancelled ${impUid} in the console`, () =>
      sandbox(config, `/payments/${encodeURIComponent(impUid)}/cancel`, { method: "POST", body }),
    );
  });
  $("dispatch-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const days = Number($("dispatch-days").value);
    if (!Number.isFinite(days) || days < 0) return showError(errorBox, "Days ahead must be 0 or more.");
    act(`Ran dispatch-charges ${days} days ahead`, async () => {
      $("dispatch-result").textContent = "Running the dispatcher, then waiting for the queue…";
      const res = await fetch("/__local/dispatch-charges", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ahead_seconds: Math.round(days * 86_400) }),
      });
      const record = await res.json().catch(() => null);
      $("dispatch-result").replaceChildren(h("pre", {}, JSON.stringify(record, null, 2)));
      if (!res.ok) throw new Error(record?.message ?? `HTTP ${res.status}`);
    });
  });
  $("decline-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const customerUid = $("decline-customer").value.trim();
    if (!customerUid) {
      $("decline-customer").focus();
      return showError(errorBox, "Name the billing key (customer_uid) to decline.");
    }
    const rule = { customer_uid: customerUid, reason: $("decline-reason").value };
    if ($("decline-answer").value) rule.answer = $("decline-answer").value;
    act(`Decline added for ${customerUid}: ${rule.reason}`, () =>
      sandbox(config, "/declines", { method: "POST", body: rule }),
    );
  });
  $("modes-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const modes = Object.fromEntries(
      [...$("modes").querySelectorAll("select")].map((s) => [s.name, s.value]),
    );
    act("Behaviour modes applied", () => sandbox(config, "/modes", { method: "POST", body: modes }));
  });
  $("reset-modes").addEventListener("click", () =>
    act("Behaviour modes back to the defaults", () => sandbox(config, "/modes", { method: "DELETE" })),
  );
  $("clear-declines").addEventListener("click", () =>
    act("Declines cleared", () => sandbox(config, "/declines", { method: "DELETE" })),
  );
  $("flush").addEventListener("click", () =>
    act("Webhooks delivered", () => sandbox(config, "/webhooks/flush", { method: "POST", body: {} })),
  );
}

async function main() {
  config = await loadConfig();
  if (!config.sandboxUrl) {
    say("The stack is talking to real iamport (test credentials), so there is no sandbox to show.");
    return;
  }
  wire();
  $("panel").hidden = false;
  await refresh();
}

main().catch((error) => showError(errorBox, `The sandbox could not be reached: ${error.message}`));
