// Subscription page: GET /subscriptions/{id} with every cycle, its charge attempts and the history;
// cancel (now or at period end), pause, resume, change plan (POST /subscriptions/{id}/plan) and switch card (a new billing key from the window, then
// POST /subscriptions/{id}/card). With the sandbox, a shortcut runs the dispatcher at the next charge date.
import {
  api,
  badge,
  formatTime,
  formatWon,
  h,
  kstText,
  loadConfig,
  loadScript,
  showError,
  sleep,
} from "./common.js";
import { eventsSection, latestChange } from "./events.js";

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(window.location.search);
const id = query.get("id");
const banner = $("banner");
const view = $("sub-view");
/** "a month", "every 2 weeks". */
const per = (plan) =>
  (plan.interval_count ?? 1) === 1 ? `a ${plan.interval}` : `every ${plan.interval_count} ${plan.interval}s`;
/** Polling after a change: at most this many reads, this far apart (about 10 s). */
const POLLS = 20;
const POLL_MS = 500;

let config;
/** Messages and errors of the last action; kept across re-renders. */
const actionStatus = h("div", {
  class: "status-box",
  id: "action-status",
  role: "status",
  "aria-live": "polite",
});
const actionError = h("div", { class: "error-box", id: "action-error", role: "alert" });

function setBanner(kind, text) {
  banner.hidden = false;
  banner.className = `banner ${kind}`;
  banner.textContent = text;
}

/** A charge is on its way: a cycle is being charged, or one is due and the queue has it. */
function charging(sub) {
  if (sub.cycles.some((cycle) => cycle.status === "charging")) return true;
  if (!["active", "past_due"].includes(sub.status) || sub.cancel_at_period_end || !sub.next_charge_at)
    return false;
  return Date.parse(sub.next_charge_at) <= Date.now();
}

function describe(sub) {
  const amount = `${formatWon(sub.plan.amount)} ${per(sub.plan)}`;
  switch (sub.status) {
    case "active":
      if (sub.cancel_at_period_end)
        return [
          "warn",
          `Ends when the paid period ends (${formatTime(sub.paid_through)}). Nothing more is charged.`,
        ];
      if (charging(sub)) return ["warn", `Charging ${formatWon(sub.plan.amount)}…`];
      if (!sub.paid_through && sub.trial)
        return [
          "ok",
          `Free trial until ${formatTime(sub.trial.ends_at)}: the first charge (${amount}) is due then.`,
        ];
      if (!sub.paid_through)
        return ["warn", `Active: the first charge (${amount}) is due ${formatTime(sub.next_charge_at)}.`];
      return [
        "ok",
        `Active: paid through ${formatTime(sub.paid_through)}. Next charge ${formatTime(sub.next_charge_at)}.`,
      ];
    case "past_due": {
      const reason = kstText(sub.dunning?.last_reason ?? sub.last_charge?.reason ?? "no reason given");
      if (charging(sub)) return ["warn", `Past due (${reason}): retrying now…`];
      return sub.dunning?.waiting_for_card
        ? [
            "bad",
            `Past due: ${reason}. This card will not be retried: switch to a new card by ${formatTime(sub.dunning.ends_at)}.`,
          ]
        : [
            "bad",
            `Past due: ${reason}. Retrying ${formatTime(sub.next_charge_at)}; switch card to retry now.`,
          ];
    }
    case "paused":
      return ["warn", `Paused since ${formatTime(sub.paused_at)}. Nothing is charged until it resumes.`];
    case "unpaid":
      return ["bad", "Unpaid: the retries ran out. Switch to a new card to charge it again."];
    case "canceled":
      return [
        "warn",
        `Canceled ${formatTime(sub.canceled_at)}${sub.cancel_reason ? ` (${kstText(sub.cancel_reason)})` : ""}.`,
      ];
    default:
      return ["warn", `Subscription status: ${sub.status}`];
  }
}

const fact = (term, ...value) => [h("dt", {}, term), h("dd", {}, ...value)];

function summary(sub) {
  const b = sub.billing;
  return h(
    "section",
    { class: "card", "aria-labelledby": "summary-h" },
    h("h2", { id: "summary-h", style: "margin-top:0" }, "Subscription"),
    h(
      "dl",
      { class: "facts" },
      fact("Id", h("code", { id: "sub-id" }, sub.id)),
      fact("Status", h("span", { id: "sub-status" }, badge(sub.status))),
      fact("Plan", h("span", { id: "plan-name" }, sub.plan.name)),
      fact("Amount", h("span", { id: "plan-amount" }, `${formatWon(sub.plan.amount)} ${per(sub.plan)}`)),
      sub.pending_plan
        ? fact(
            "Plan change",
            h(
              "span",
              { id: "pending-plan" },
              `${sub.pending_plan.name}, ${formatWon(sub.pending_plan.amount)} from cycle ${sub.pending_plan.from_cycle}`,
            ),
          )
        : [],
      sub.trial
        ? fact(
            "Free trial",
            h(
              "span",
              { id: "trial" },
              `${sub.trial.days} days, ends ${formatTime(sub.trial.ends_at)}; ending notice ${
                sub.trial.noticed_at
                  ? `recorded ${formatTime(sub.trial.noticed_at)}`
                  : `due ${formatTime(sub.trial.notice_at)}`
              }`,
            ),
          )
        : [],
      fact("Card (billing key)", h("code", { id: "sub-card" }, sub.customer_uid)),
      fact(
        "Billing day",
        `${b.interval === "year" ? `month ${b.anchor_month}, ` : ""}day ${b.anchor_day} at ${b.charge_time} KST`,
      ),
      fact("Next charge", h("span", { id: "next-charge" }, formatTime(sub.next_charge_at))),
      fact("Paid through", h("span", { id: "paid-through" }, formatTime(sub.paid_through))),
      fact("Cycles paid", h("span", { id: "paid-cycles" }, String(sub.paid_cycles))),
      sub.skipped_cycles ? fact("Cycles skipped (paused)", String(sub.skipped_cycles)) : [],
      fact(
        "Cancels at period end",
        h("span", { id: "cancel-at-period-end" }, sub.cancel_at_period_end ? "yes" : "no"),
      ),
      sub.canceled_at ? fact("Canceled", formatTime(sub.canceled_at)) : [],
      fact("Created", formatTime(sub.created_at)),
    ),
    sub.dunning
      ? [
          h("h3", {}, "Dunning"),
          h(
            "dl",
            { class: "facts", id: "dunning" },
            fact("Cycle", String(sub.dunning.cycle)),
            fact("Last reason", kstText(sub.dunning.last_reason)),
            fact("Failing since", formatTime(sub.dunning.since)),
            fact("Soft declines", String(sub.dunning.soft_declines)),
            fact("Waiting for a new card", sub.dunning.waiting_for_card ? "yes" : "no"),
            fact("Gives up", formatTime(sub.dunning.ends_at)),
          ),
        ]
      : null,
  );
}

/** Runs one merchant command; shows the API's error JSON when it is refused. */
async function command(label, path, body, buttons, headers = {}) {
  actionError.replaceChildren();
  actionStatus.textContent = `${label}…`;
  for (const b of buttons) b.disabled = true;
  const res = await api(config, path, { method: "POST", body, headers });
  if (!res.ok) {
    actionStatus.textContent = "";
    for (const b of buttons) b.disabled = false;
    showError(actionError, `${label} was refused.`, res);
    return null;
  }
  actionStatus.textContent = `${label}: done.`;
  return res.body;
}

function manage(sub) {
  const s = sub.status;
  const buttons = [];
  const button = (text, attrs, run) => {
    const b = h("button", { type: "button", ...attrs, onclick: () => run().catch(failed) }, text);
    buttons.push(b);
    return b;
  };
  const failed = (error) => {
    for (const b of buttons) b.disabled = false;
    showError(actionError, `Something went wrong: ${error.message}`);
  };
  const reason = h("input", { id: "cancel-reason", type: "text", maxlength: 200, placeholder: "optional" });
  const cancel = (at, label) => async () => {
    const body = { at };
    if (reason.value.trim()) body.reason = reason.value.trim();
    if (await command(label, `/subscriptions/${encodeURIComponent(sub.id)}/cancel`, body, buttons))
      await reload();
  };
  const simple = (path, label) => async () => {
    if (await command(label, `/subscriptions/${encodeURIComponent(sub.id)}/${path}`, {}, buttons))
      await reload({ until: (next) => !charging(next) });
  };
  const tel = h("input", {
    id: "switch-tel",
    type: "tel",
    autocomplete: "tel",
    value: sub.buyer?.tel ?? "010-1234-5678",
  });
  const ended = s === "canceled";
  const planName = h("input", { id: "plan-new-name", type: "text", maxlength: 40, value: sub.plan.name });
  const planAmount = h("input", {
    id: "plan-new-amount",
    type: "number",
    min: 1,
    step: 1,
    value: String(sub.plan.amount),
  });
  const effective = (value, text, checked) =>
    h(
      "label",
      { class: "inline" },
      h("input", { type: "radio", name: "plan-effective", value, checked }),
      h("span", {}, text),
    );
  const changePlan = async () => {
    const body = {
      name: planName.value.trim(),
      amount: Number(planAmount.value),
      effective: document.querySelector('input[name="plan-effective"]:checked')?.value ?? "next_cycle",
    };
    // A new key per click: a retry of the same click would reuse it (this page does not retry).
    const headers = { "idempotency-key": crypto.randomUUID() };
    const path = `/subscriptions/${encodeURIComponent(sub.id)}/plan`;
    if (await command("Change plan", path, body, buttons, headers)) await reload();
  };
  const planSet = h(
    "fieldset",
    {},
    h("legend", {}, "Plan"),
    h("label", { for: "plan-new-name" }, "New plan name"),
    planName,
    h("label", { for: "plan-new-amount" }, "New amount (KRW per cycle)"),
    planAmount,
    effective("next_cycle", "From the next cycle", true),
    effective("now", "Now (the cycle being charged or retried too)", false),
    h(
      "div",
      { class: "actions" },
      button("Change plan", { disabled: ended || sub.cancel_at_period_end }, changePlan),
    ),
    h("p", { class: "hint" }, "No proration: nothing is charged or refunded for the period already paid."),
  );
  return h(
    "section",
    { class: "card", "aria-labelledby": "manage-h" },
    h("h2", { id: "manage-h", style: "margin-top:0" }, "Manage"),
    h(
      "fieldset",
      {},
      h("legend", {}, "Cancel"),
      h("label", { for: "cancel-reason" }, "Reason (optional)"),
      reason,
      h(
        "div",
        { class: "actions" },
        button("Cancel now", { class: "danger", disabled: ended }, cancel("now", "Cancel now")),
        button(
          "Cancel at period end",
          { disabled: ended || sub.cancel_at_period_end },
          cancel("period_end", "Cancel at period end"),
        ),
      ),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Pause"),
      h(
        "div",
        { class: "actions" },
        button("Pause", { disabled: s !== "active" }, simple("pause", "Pause")),
        button("Resume", { disabled: s !== "paused" }, simple("resume", "Resume")),
      ),
      h("p", { class: "hint" }, "Cycles dated inside a pause are skipped, never charged late."),
    ),
    planSet,
    h(
      "fieldset",
      {},
      h("legend", {}, "Card"),
      h("label", { for: "switch-tel" }, "Phone number for the card window"),
      tel,
      h(
        "div",
        { class: "actions" },
        button("Switch card", { disabled: ended }, () => switchCard(sub, tel.value.trim(), buttons)),
      ),
      h(
        "p",
        { class: "hint" },
        "Registers a new card in the window. A past due subscription is retried with it at once.",
      ),
    ),
    actionStatus,
    actionError,
  );
}

/** A new billing key from the window, then POST /subscriptions/{id}/card. */
async function switchCard(sub, tel, buttons) {
  actionError.replaceChildren();
  for (const b of buttons) b.disabled = true;
  actionStatus.textContent = "Asking the server for a card registration window…";
  const issued = await api(config, "/billing-keys", {
    method: "POST",
    body: { buyer_tel: tel, name: `${sub.plan.name} card`, ...buyerOf(sub) },
  });
  if (!issued.ok) {
    actionStatus.textContent = "";
    for (const b of buttons) b.disabled = false;
    return showError(actionError, "The card registration could not start.", issued);
  }
  if (!window.IMP) await loadScript(config.sdkUrl);
  window.IMP.init(config.merchantCode);
  if (config.iamport === "sandbox") window.IMP.sandbox = { mode: "pc" };
  actionStatus.textContent = "Register the new card in the window…";
  const rsp = await new Promise((resolve) => window.IMP.request_pay(issued.body.request_pay, resolve));
  if (!rsp.success) {
    actionStatus.textContent = "";
    for (const b of buttons) b.disabled = false;
    return showError(
      actionError,
      `The new card was not registered: ${rsp.error_msg || "the window was closed"}.`,
    );
  }
  const switched = await command(
    "Switch card",
    `/subscriptions/${encodeURIComponent(sub.id)}/card`,
    { customer_uid: issued.body.customer_uid },
    buttons,
  );
  if (!switched) return;
  const c = switched.card_switch;
  actionStatus.textContent = `Card switched${c.retry_queued ? "; the unpaid cycle is being charged with it" : ""}${c.old_card ? ` (old key ${c.old_card.key})` : ""}.`;
  await reload({ until: (next) => !charging(next) });
}

function buyerOf(sub) {
  const out = {};
  if (sub.buyer?.name) out.buyer_name = sub.buyer.name;
  if (sub.buyer?.email) out.buyer_email = sub.buyer.email;
  return out;
}

/** Sandbox only: the dispatcher, run as of the next charge date, so a renewal or retry happens now. */
function sandboxTools(sub) {
  if (!config.sandboxUrl) return null;
  const result = h("div", { id: "dispatch-result", role: "status", "aria-live": "polite" });
  const due = sub.next_charge_at && sub.status !== "canceled";
  const run = h(
    "button",
    {
      type: "button",
      disabled: !due,
      onclick: () =>
        dispatchAtNextCharge().catch((error) => {
          run.disabled = false;
          showError(result, `The dispatcher could not run: ${error.message}`);
        }),
    },
    "Run the dispatcher at the next charge date",
  );
  const dispatchAtNextCharge = async () => {
    run.disabled = true;
    actionStatus.textContent = "";
    actionError.replaceChildren();
    result.textContent = "Running the dispatcher…";
    const res = await fetch("/__local/dispatch-charges", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ at: sub.next_charge_at }),
    });
    const record = await res.json().catch(() => null);
    if (!res.ok) {
      run.disabled = false;
      return showError(result, "The dispatcher could not run.", { status: res.status, body: record });
    }
    await reload({ until: (next) => !charging(next) });
    $("dispatch-result")?.replaceChildren(h("pre", {}, JSON.stringify(record, null, 2)));
  };
  return h(
    "section",
    { class: "card", "aria-labelledby": "sandbox-h" },
    h("h2", { id: "sandbox-h", style: "margin-top:0" }, "Sandbox: skip ahead"),
    h(
      "p",
      { class: "hint" },
      due
        ? `Runs dispatch-charges with its clock at ${formatTime(sub.next_charge_at)}: what falls due then is charged now, through the real queue and consumer.`
        : "Nothing is scheduled to be charged.",
    ),
    h("div", { class: "actions" }, run),
    h(
      "p",
      { class: "hint" },
      "To watch dunning, add a decline for this card (",
      h("code", {}, sub.customer_uid),
      ") in the ",
      h("a", { href: "/shop/sandbox.html#billing-h" }, "sandbox panel"),
      " first.",
    ),
    result,
  );
}

function table(caption, headers, rows, attrs = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      attrs,
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

function cyclesSection(sub) {
  const cycles = [...sub.cycles].reverse();
  return h(
    "section",
    { "aria-labelledby": "cycles-h", id: "cycles" },
    h("h2", { id: "cycles-h" }, "Cycles and charges"),
    cycles.length === 0 ? h("p", {}, "No cycles yet.") : null,
    cycles.map((cycle) =>
      h(
        "article",
        {
          class: "cycle",
          "data-cycle": cycle.cycle,
          "data-status": cycle.status,
          "aria-labelledby": `cycle-${cycle.cycle}-h`,
        },
        h(
          "h3",
          { id: `cycle-${cycle.cycle}-h` },
          `Cycle ${cycle.cycle} `,
          badge(cycle.status),
          h(
            "span",
            { class: "muted" },
            ` ${formatTime(cycle.period_start)} – ${formatTime(cycle.period_end)}`,
          ),
        ),
        cycle.attempts.length
          ? table(
              `Charge attempts of cycle ${cycle.cycle}`,
              ["#", "Charge (merchant_uid)", "Card", "Amount", "Result", "Payment", "When", "Known by"],
              cycle.attempts.map((a) =>
                h(
                  "tr",
                  { "data-status": a.status },
                  h("td", {}, String(a.attempt)),
                  h("td", {}, h("code", {}, a.merchant_uid)),
                  h("td", {}, h("code", {}, a.customer_uid)),
                  h("td", {}, formatWon(a.amount)),
                  h(
                    "td",
                    {},
                    badge(a.status),
                    a.decline ? ` ${a.decline}` : "",
                    a.reason || a.error_code ? h("div", {}, kstText(a.reason ?? a.error_code)) : null,
                  ),
                  h(
                    "td",
                    {},
                    a.imp_uid ? h("code", {}, a.imp_uid) : "—",
                    a.refund ? ` (refund ${a.refund})` : "",
                  ),
                  h("td", {}, formatTime(a.paid_at ?? a.updated_at)),
                  h(
                    "td",
                    {},
                    a.resolved_by ?? "—",
                    ` · ${a.sends} send${a.sends === 1 ? "" : "s"}`,
                    a.lookups ? `, ${a.lookups} lookups` : "",
                  ),
                ),
              ),
              { class: "attempts" },
            )
          : h(
              "p",
              { class: "hint" },
              cycle.status === "scheduled"
                ? `Not charged yet: due ${formatTime(sub.next_charge_at)}.`
                : "No attempts.",
            ),
      ),
    ),
  );
}

function historySection(sub) {
  const rows = [...sub.history]
    .reverse()
    .map((event) =>
      h(
        "tr",
        {},
        h("td", {}, formatTime(event.at)),
        h("td", {}, event.from ? badge(event.from) : "—", " → ", badge(event.to)),
        h("td", {}, event.source),
        h("td", {}, kstText(event.reason)),
        h("td", {}, event.cycle ? `${event.cycle}${event.attempt ? ` / ${event.attempt}` : ""}` : ""),
      ),
    );
  return h(
    "section",
    { "aria-labelledby": "history-h" },
    h("h2", { id: "history-h" }, "History"),
    rows.length
      ? table(
          "Subscription history, newest first",
          ["When", "Change", "Source", "Why", "Cycle / attempt"],
          rows,
          { id: "history" },
        )
      : h("p", {}, "No changes yet."),
  );
}

function render(sub) {
  const [kind, text] = describe(sub);
  setBanner(kind, text);
  document.title = `Subscription ${sub.id} (${sub.status}) — demo storefront`;
  $("title").textContent = `Subscription: ${sub.plan.name}`;
  view.replaceChildren(
    h("div", { class: "grid2" }, summary(sub), manage(sub), sandboxTools(sub)),
    cyclesSection(sub),
    historySection(sub),
    eventsSection(sub.id, { since: latestChange(sub.history) }),
  );
  Object.assign(view.dataset, {
    status: sub.status,
    paidCycles: String(sub.paid_cycles),
    cancelAtPeriodEnd: String(sub.cancel_at_period_end),
    charging: String(charging(sub)),
  });
}

/** What to tell the person who just subscribed, from the subscription as the server holds it now. */
function subscribedMessage(sub) {
  if (sub.status === "active" && sub.paid_through)
    return "Subscribed. Your card is charged by the server, cycle by cycle.";
  if (sub.status === "active")
    return `Subscribed. The first charge is due ${formatTime(sub.next_charge_at)}; your card is charged by the server, cycle by cycle.`;
  if (sub.status === "past_due")
    return "Subscribed, but the first charge was declined: nothing was charged. Switch to another card below.";
  return `The subscription was created but is ${sub.status}: see below.`;
}

/** Reloads; with `until`, polls (bounded) until it holds. Returns the subscription last shown. */
async function reload({ until } = {}) {
  let last;
  for (let attempt = 0; attempt < POLLS; attempt++) {
    const res = await api(config, `/subscriptions/${encodeURIComponent(id)}`);
    if (!res.ok) {
      setBanner(
        "bad",
        res.status === 404 ? `No subscription ${id}.` : "The subscription could not be loaded.",
      );
      showError(view, "The API answered:", res);
      return;
    }
    render(res.body);
    last = res.body;
    if (!until || until(res.body)) return last;
    await sleep(POLL_MS);
  }
  return last;
}

async function main() {
  config = await loadConfig();
  $("lookup-id").value = id ?? "";
  if (!id) {
    $("lookup-id").focus();
    return;
  }
  const sub = await reload({ until: (next) => !charging(next) });
  if (query.has("new") && sub) actionStatus.textContent = subscribedMessage(sub);
  view.dataset.ready = "true";
}

main().catch((error) => setBanner("bad", `Something went wrong: ${error.message}`));
