/**
 * `needs-attention`: everything waiting on a person, oldest first. From the
 * sparse GSI1 shards, read whole (not only what is due; bounded per shard):
 * `OWED#` (refunds owed that need an account or a person, or are not done
 * long after the decision), `UNKNOWN#` (charges whose outcome is still
 * unknown, claims whose worker died), `OPEN#` (forged virtual accounts still
 * watched), `DUE#` (subscriptions waiting for a new card). A forged order
 * whose refund is done is on no index and no index lists orders by status:
 * those come from a bounded Scan (`--scan-limit` items read), as
 * republish-events' window does.
 */
import type { ChargeAttempt } from "../lib/billing/charge-attempt.js";
import type { Subscription } from "../lib/billing/subscription.js";
import type { OwedRefund } from "../lib/ledger/owed-refund.js";
import type { Order } from "../lib/orders/order.js";
import type { StoredItem } from "../lib/store/ops-reads.js";
import type { OpsContext } from "./environment.js";
import { type CommandOutput, formatTable, krw, kst } from "./output.js";

export interface AttentionItem {
  /** Since when it waits (ISO). */
  since: string;
  kind:
    | "forged"
    | "refund_needs_account"
    | "refund_failed"
    | "refund_owed_stuck"
    | "charge_outcome_unknown"
    | "charge_claim_lapsed"
    | "waiting_for_card";
  /** The order's merchant_uid or the subscription's id: what `timeline` takes. */
  id: string;
  what: string;
}

export interface NeedsAttentionOptions {
  /** Minutes after which a refund owed not done, or an unknown charge, counts as stuck. */
  olderThanMinutes: number;
  /** Items the forged-order Scan reads at most. */
  scanLimit: number;
  /** Entries read per index shard at most. */
  perShard: number;
}

const records = <T>(items: StoredItem[], type: string) =>
  items.filter((item) => item.type === type).map((item) => item.record as T);

function fromOwed(owed: OwedRefund, staleBefore: string): AttentionItem | null {
  if (owed.state === "done") return null;
  const id = owed.owner.kind === "order" ? owed.owner.merchantUid : owed.owner.subscriptionId;
  const base = `${owed.reason} ${owed.impUid}, ${krw(owed.amount)}`;
  if (owed.state === "needs_account")
    return {
      since: owed.decidedAt,
      kind: "refund_needs_account",
      id,
      what: `${base}: ${owed.lastError ?? ""}`,
    };
  if (owed.state === "needs_person")
    return {
      since: owed.decidedAt,
      kind: "refund_failed",
      id,
      what: `${base}: iamport refused: ${owed.lastError ?? ""}`,
    };
  if (owed.reason === "forged")
    return {
      since: owed.decidedAt,
      kind: "forged",
      id,
      what: `${base}: refund in progress (${owed.tries} tries)`,
    };
  if (owed.decidedAt > staleBefore) return null;
  return {
    since: owed.decidedAt,
    kind: "refund_owed_stuck",
    id,
    what: `${base}: not done after ${owed.tries} tries${owed.lastError ? `: ${owed.lastError}` : ""}`,
  };
}

function fromAttempt(a: ChargeAttempt, staleBefore: string): AttentionItem | null {
  const name = `charge ${a.cycle}#${a.attempt} ${a.merchantUid}, ${krw(a.amount)}`;
  if (a.status === "unknown" && a.unknownSince && a.unknownSince <= staleBefore)
    return {
      since: a.unknownSince,
      kind: "charge_outcome_unknown",
      id: a.subscriptionId,
      what: `${name}: no outcome since the send (${a.lookups} lookups, ${a.sends} sends)`,
    };
  if (a.status === "claimed" && a.leaseUntil && a.leaseUntil <= staleBefore)
    return {
      since: a.leaseUntil,
      kind: "charge_claim_lapsed",
      id: a.subscriptionId,
      what: `${name}: claimed by a worker that never finished`,
    };
  return null;
}

function fromForgedOrder(order: Order): AttentionItem {
  const f = order.forgery;
  return {
    since: order.updatedAt,
    kind: "forged",
    id: order.merchantUid,
    what: f
      ? `${f.impUid} paid ${krw(f.paidAmount)}, order is ${krw(f.expectedAmount)}; refund ${f.refund}: do not fulfil`
      : "forged: do not fulfil",
  };
}

/** Reads the indexes (and the bounded Scan) and lists what waits, oldest first. */
export async function needsAttention(
  ctx: OpsContext,
  options: NeedsAttentionOptions,
): Promise<CommandOutput> {
  const now = ctx.container.clock();
  const staleBefore = new Date(now.getTime() - options.olderThanMinutes * 60_000).toISOString();
  const [owed, unknown, open, due, scanned] = await Promise.all([
    ctx.reads.index("owed", options.perShard),
    ctx.reads.index("unknown", options.perShard),
    ctx.reads.index("open", options.perShard),
    ctx.reads.index("due", options.perShard),
    ctx.reads.scanForgedOrders(options.scanLimit),
  ]);
  const found: AttentionItem[] = [];
  const candidates = [
    ...records<OwedRefund>(owed.items, "owed_refund").map((o) => fromOwed(o, staleBefore)),
    ...records<ChargeAttempt>(unknown.items, "charge_attempt").map((a) => fromAttempt(a, staleBefore)),
  ];
  for (const item of candidates) if (item) found.push(item);
  for (const s of records<Subscription>(due.items, "subscription")) {
    if (s.dunning?.waitingForCard)
      found.push({
        since: s.dunning.since,
        kind: "waiting_for_card",
        id: s.id,
        what: `${s.status}: ${s.dunning.lastReason}; a new card (POST /subscriptions/${s.id}/card) before ${kst(s.dunning.endsAt)}`,
      });
  }
  // A forged order listed by its refund owed already is not listed twice.
  const listed = new Set(found.filter((f) => f.kind === "forged").map((f) => f.id));
  for (const order of [...records<Order>(open.items, "order"), ...records<Order>(scanned.items, "order")]) {
    if (order.status !== "forged" || listed.has(order.merchantUid)) continue;
    listed.add(order.merchantUid);
    found.push(fromForgedOrder(order));
  }
  found.sort((a, b) => a.since.localeCompare(b.since) || a.id.localeCompare(b.id));
  const truncated = [owed, unknown, open, due].some((r) => r.truncated);
  const notes = [
    truncated ? `(an index had more than ${options.perShard} entries per shard: not all were read)` : "",
    scanned.truncated
      ? `(forged orders: the Scan stopped after ${options.scanLimit} items: --scan-limit)`
      : "",
  ].filter(Boolean);
  const table = found.length
    ? formatTable(
        ["SINCE (KST)", "KIND", "ID", "WHAT"],
        found.map((f) => [kst(f.since), f.kind, f.id, f.what]),
      )
    : "nothing needs attention\n";
  return {
    json: { items: found, truncated: { indexes: truncated, forgedScan: scanned.truncated } },
    text: `${table}${notes.map((n) => `${n}\n`).join("")}`,
  };
}
