/**
 * One stored item of an aggregate's partition → the lines of its timeline
 * (pure): what happened, when, and who or what caused it, from the fields
 * the repositories store (lib/store/*, the types in lib/orders, lib/billing,
 * lib/ledger).
 */
import type { ChargeAttempt } from "../lib/billing/charge-attempt.js";
import type { SubscriptionEvent } from "../lib/billing/subscription.js";
import type { OwedRefund } from "../lib/ledger/owed-refund.js";
import type { Order, OrderEvent } from "../lib/orders/order.js";
import type { RefundRequestRecord } from "../lib/orders/refund.js";
import type { StoredItem } from "../lib/store/ops-reads.js";
import { krw, kst } from "./output.js";

export const ENTRY_KINDS = ["notification", "iamport", "transition", "refund", "event", "alert"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface TimelineEntry {
  /** ISO instant. */
  at: string;
  kind: EntryKind;
  what: string;
  /** Who or what caused it: webhook, callback, redirect, merchant API, reconciler, sweep, worker… */
  by: string;
}

const SOURCES: Record<string, string> = {
  api: "merchant API",
  charge: "worker",
  dispatcher: "dispatcher",
  reconciler: "reconciler",
  sweep: "sweep",
  webhook: "webhook",
  callback: "callback",
  redirect: "redirect",
};
const sourceName = (source: unknown) => SOURCES[String(source)] ?? String(source ?? "-");
const RESOLVED_BY: Record<string, string> = {
  response: "worker",
  lookup: "worker lookup",
  webhook: "webhook",
};

/** The history's source nearest before `at` (a refund owed is decided in the same write as a change). */
function decider(history: ReadonlyArray<{ at: string; source: string }>, at: string): string {
  const before = history.filter((event) => event.at <= at).at(-1);
  return before ? sourceName(before.source) : "ledger";
}

/**
 * iamport's own times have whole seconds: a line at one could sort before what caused it, so iamport's
 * cancels get a line only when no refund request of ours reports them (a console cancel, a forgery refund).
 */
function orderEntries(order: Order, history: OrderEvent[], ours: ReadonlySet<string>): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const refund of order.refunds ?? []) {
    if (ours.has(refund.cancellationId)) continue;
    out.push({
      at: refund.cancelledAt,
      kind: "iamport",
      what: `cancel of ${krw(refund.amount)} recorded (${refund.cancellationId}): ${refund.reason}`,
      by: "iamport",
    });
  }
  const forged = history.find((event) => event.to === "forged");
  if (order.forgery && forged)
    out.push({
      at: forged.at,
      kind: "alert",
      what: `forged: ${order.forgery.impUid} paid ${krw(order.forgery.paidAmount)}, order is ${krw(order.forgery.expectedAmount)}; refund ${order.forgery.refund}`,
      by: sourceName(forged.source),
    });
  return out;
}

function transition(event: OrderEvent | SubscriptionEvent): TimelineEntry {
  const plan = "plan" in event && event.plan ? event.plan : undefined;
  const charge = "cycle" in event && event.cycle ? ` (cycle ${event.cycle}#${event.attempt ?? 1})` : "";
  const change = event.from === event.to ? `${event.to}` : `${event.from ?? "new"} → ${event.to}`;
  const planText = plan
    ? `; plan ${plan.from.name} ${krw(plan.from.amount)} → ${plan.to.name} ${krw(plan.to.amount)}, ${plan.effective}, from cycle ${plan.fromCycle}`
    : "";
  return {
    at: event.at,
    kind: "transition",
    what: `v${event.version} ${change}${charge}: ${event.reason}${planText}`,
    by: sourceName(event.source),
  };
}

function refundRequestEntries(request: RefundRequestRecord): TimelineEntry[] {
  const out: TimelineEntry[] = [
    {
      at: request.createdAt,
      kind: "refund",
      what: `refund of ${krw(request.plan.amount)} requested (key ${request.idempotencyKey}): ${request.plan.reason}`,
      by: "merchant API",
    },
  ];
  if (request.state === "succeeded" && request.result)
    out.push({
      at: request.updatedAt,
      kind: "refund",
      what: `refund of ${krw(request.result.amount)} made (${request.result.cancellationId ?? "no cancellation id"}); order ${request.result.order.status}, ${krw(request.result.order.refundableAmount)} left`,
      by: "merchant API",
    });
  if (request.state === "refused")
    out.push({
      at: request.updatedAt,
      kind: "refund",
      what: `refund refused: ${request.refusal?.code ?? "?"}: ${request.refusal?.message ?? ""}`,
      by: "merchant API",
    });
  return out;
}

function owedEntries(
  owed: OwedRefund,
  history: ReadonlyArray<{ at: string; source: string }>,
): TimelineEntry[] {
  const out: TimelineEntry[] = [
    {
      at: owed.decidedAt,
      kind: "refund",
      what: `refund owed decided: ${owed.reason}, ${krw(owed.amount)} of ${owed.impUid} (${owed.detail})`,
      by: decider(history, owed.decidedAt),
    },
  ];
  if (owed.state === "done" && owed.doneAt)
    out.push({
      at: owed.doneAt,
      kind: "refund",
      what: `refund owed done: ${owed.impUid} refunded ${krw(owed.refundedAmount)} (${owed.alert})`,
      by: "refund executor",
    });
  if (owed.state === "needs_account" || owed.state === "needs_person")
    out.push({
      at: owed.updatedAt,
      kind: "alert",
      what: `${owed.alert}: refund owed ${owed.state}: ${owed.lastError ?? ""}`,
      by: "refund executor",
    });
  return out;
}

function attemptEntries(a: ChargeAttempt): TimelineEntry[] {
  const name = `charge ${a.cycle}#${a.attempt} (${a.merchantUid})`;
  const out: TimelineEntry[] = [
    { at: a.claimedAt, kind: "iamport", what: `${name} claimed and sent: ${krw(a.amount)}`, by: "worker" },
  ];
  if (a.sends > 1 && a.lastSentAt !== a.claimedAt)
    out.push({
      at: a.lastSentAt,
      kind: "iamport",
      what: `${name} sent again (same merchant_uid)`,
      by: "worker",
    });
  if (a.unknownSince)
    out.push({
      at: a.unknownSince,
      kind: "iamport",
      what: `${name} outcome unknown; looked up`,
      by: "worker",
    });
  if (a.status !== "claimed" && a.status !== "unknown") {
    const paidAt = a.status === "paid" && a.paidAt ? `paid at iamport ${kst(a.paidAt)}` : undefined;
    const detail = [a.severity, a.reason, a.impUid, paidAt].filter(Boolean).join(", ");
    // When we learned it: iamport's paid_at has whole seconds and may read before the claim.
    out.push({
      at: a.updatedAt,
      kind: "iamport",
      what: `${name} ${a.status}${detail ? `: ${detail}` : ""}`,
      by: RESOLVED_BY[String(a.resolvedBy)] ?? "worker",
    });
  }
  const alert = a.surplus
    ? `surplus: ${a.surplus}`
    : a.lateFrom
      ? `late_paid_attempt: was ${a.lateFrom}`
      : a.status === "rejected"
        ? `rejected charge, refund ${a.refund ?? "pending"}`
        : null;
  if (alert) out.push({ at: a.updatedAt, kind: "alert", what: `${name} ${alert}`, by: "worker" });
  if (a.lateRefund)
    out.push({
      at: a.lateRefund.at,
      kind: "refund",
      what: `${name} ${a.lateRefund.impUid} refunded ${krw(a.lateRefund.amount)}`,
      by: "worker",
    });
  return out;
}

function noteEntry(note: Record<string, unknown>): TimelineEntry {
  return {
    at: String(note.receivedAt ?? ""),
    kind: "notification",
    what: `${note.source} notification: ${note.impUid} ${note.status}`,
    by: sourceName(note.source),
  };
}

/** An outbox item (`OUTBOX#<event id>`) of the domain events: `{event: {id, type, time, aggregate}}`. */
function outboxEntry(record: Record<string, unknown>): TimelineEntry | null {
  const event = record.event as
    | { id?: string; type?: string; time?: string; aggregate?: { version?: number } }
    | undefined;
  if (!event?.time || !event.type) return null;
  return {
    at: event.time,
    kind: "event",
    what: `${event.type} (v${event.aggregate?.version ?? "?"}, ${event.id ?? "?"})`,
    by: "domain event",
  };
}

/** Every line the partition's items give; items of a type with nothing to tell (counts, claims) give none. */
export function entriesOf(items: readonly StoredItem[]): TimelineEntry[] {
  const of = <T>(type: string) => items.filter((i) => i.type === type).map((i) => i.record as T);
  const history = [...of<OrderEvent>("order_event"), ...of<SubscriptionEvent>("subscription_event")].sort(
    (a, b) => a.version - b.version,
  );
  const out: TimelineEntry[] = history.map(transition);
  const requests = of<RefundRequestRecord>("refund_request");
  const ours = new Set(requests.flatMap((r) => (r.result?.cancellationId ? [r.result.cancellationId] : [])));
  for (const order of of<Order>("order"))
    out.push(...orderEntries(order, of<OrderEvent>("order_event"), ours));
  for (const note of [
    ...of<Record<string, unknown>>("notification"),
    ...of<Record<string, unknown>>("subscription_notification"),
  ])
    out.push(noteEntry(note));
  for (const request of requests) out.push(...refundRequestEntries(request));
  for (const owed of of<OwedRefund>("owed_refund")) out.push(...owedEntries(owed, history));
  for (const attempt of of<ChargeAttempt>("charge_attempt")) out.push(...attemptEntries(attempt));
  for (const item of items) {
    if (item.type !== "outbox" && !item.sk.startsWith("OUTBOX#")) continue;
    const entry = outboxEntry(item.record);
    if (entry) out.push(entry);
  }
  return sortEntries(out);
}

const RANK: Record<EntryKind, number> = {
  notification: 0,
  iamport: 1,
  transition: 2,
  refund: 3,
  event: 4,
  alert: 5,
};

/** Time order; at the same instant what arrived first, then what it caused (a stable sort). */
export function sortEntries(entries: TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((entry, index) => ({ entry, index, ms: Date.parse(entry.at) || 0 }))
    .sort((a, b) => a.ms - b.ms || RANK[a.entry.kind] - RANK[b.entry.kind] || a.index - b.index)
    .map(({ entry }) => entry);
}
