/**
 * The soak's books: our records (a Scan of the soak's table; fine in a test
 * harness, never in the product) compared with the sandbox's ledger payment
 * by payment. Every payment iamport holds money for under one of our
 * merchant_uids must be the one its order or cycle keeps, or refunded, or
 * waiting on a person (a refund owed in `needs_account` / `needs_person`).
 */
import { QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { ChargeAttempt } from "../../lib/billing/charge-attempt.js";
import { parseChargeMerchantUid } from "../../lib/billing/rules/merchant-uid.js";
import type { Subscription } from "../../lib/billing/subscription.js";
import type { OwedRefund } from "../../lib/ledger/owed-refund.js";
import type { Order } from "../../lib/orders/order.js";
import type { RefundRequestRecord } from "../../lib/orders/refund.js";
import { createDocumentClient } from "../../lib/store/dynamo-client.js";
import {
  DUE_SHARDS,
  OPEN_SHARDS,
  OWED_SHARDS,
  openIndexPk,
  owedIndexPk,
  unknownIndexPk,
} from "../../lib/store/keys.js";
import type { World } from "./world.js";

export interface Books {
  cycles_due: number;
  cycles_charged_once: number;
  double_charges: number;
  unrefunded_surplus: number;
  lost_payments: number;
  stuck: number;
  refund_mismatches: number;
  /** Domain events lost or invented: an event without its change, a paid order or kept charge without its event, or two. */
  event_mismatches: number;
  waiting_on_person: number;
  orders: number;
  payments_at_iamport: number;
  /** One line per violation: what and where (the merchant_uid or subscription id). */
  violations: Array<{ kind: string; key: string; detail: string }>;
}

const held = (p: { status: string; amount: number; cancel_amount: number }) =>
  p.status === "paid" || (p.status === "cancelled" && p.cancel_amount > 0)
    ? Math.max(0, p.amount - p.cancel_amount)
    : 0;

export async function auditBooks(world: World): Promise<Books> {
  const items = await scan(world);
  const orders = new Map<string, Order>();
  const attempts = new Map<string, ChargeAttempt>();
  const subs = new Map<string, Subscription>();
  const owed = new Map<string, OwedRefund>();
  const refundRequests: RefundRequestRecord[] = [];
  for (const item of items) {
    const type = item.type;
    if (type === "order") orders.set(String(item.merchantUid), item as unknown as Order);
    else if (type === "charge_attempt")
      attempts.set(String(item.merchantUid), item as unknown as ChargeAttempt);
    else if (type === "subscription") subs.set(String(item.id), item as unknown as Subscription);
    else if (type === "owed_refund") owed.set(String(item.impUid), item as unknown as OwedRefund);
    else if (type === "refund_request") refundRequests.push(item as unknown as RefundRequestRecord);
  }
  const books: Books = {
    cycles_due: 0,
    cycles_charged_once: 0,
    double_charges: 0,
    unrefunded_surplus: 0,
    lost_payments: 0,
    stuck: 0,
    refund_mismatches: 0,
    event_mismatches: 0,
    waiting_on_person: 0,
    orders: orders.size,
    payments_at_iamport: 0,
    violations: [],
  };
  const violation = (kind: keyof Books, key: string, detail: string) => {
    (books[kind] as number)++;
    books.violations.push({ kind, key, detail });
  };

  // Group iamport's payments by owner: an order, or a (subscription, cycle).
  const byOwner = new Map<string, Array<ReturnType<World["sandbox"]["control"]["payments"]>[number]>>();
  for (const p of world.sandbox.control.payments()) {
    if (p.customer_uid_usage === "issue") continue; // a billing-key issuance moves no money
    const charge = parseChargeMerchantUid(p.merchant_uid);
    const owner = charge ? `${charge.subscriptionId}#${charge.cycle}` : p.merchant_uid;
    if (!charge && !orders.has(p.merchant_uid) && !p.merchant_uid.startsWith("ord_")) continue;
    books.payments_at_iamport++;
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), p]);
  }

  for (const [owner, payments] of byOwner) {
    const charge = owner.includes("#");
    const order = charge ? undefined : orders.get(owner);
    const kept = new Set<string>();
    if (order && ["paid", "partially_refunded", "refunded"].includes(order.status) && order.impUid)
      kept.add(order.impUid);
    if (charge) {
      for (const p of payments) {
        const a = attempts.get(p.merchant_uid);
        if (a?.status === "paid" && !a.surplus && a.impUid === p.imp_uid) kept.add(p.imp_uid);
      }
      books.cycles_due++;
    }
    let holding = 0;
    for (const p of payments) {
      const balance = held(p);
      const refundOwed = owed.get(p.imp_uid);
      if (kept.has(p.imp_uid)) {
        if (balance > 0) holding++;
        if (order && Math.min(p.cancel_amount, order.amount) !== order.refundedAmount)
          violation(
            "refund_mismatches",
            owner,
            `iamport cancelled ${p.cancel_amount}, the order ${order.refundedAmount}`,
          );
        // A cancel at iamport's console, its webhook lost, reaches the order only through the sweep.
        else if (order && order.status !== statusOf(p, order.amount))
          violation(
            "refund_mismatches",
            owner,
            `iamport cancelled ${p.cancel_amount} of ${p.amount}, the order is ${order.status}`,
          );
        // Only the merchant cancels a kept charge (at the console): the attempt records what iamport did.
        const recorded = attempts.get(p.merchant_uid)?.cancelled?.amount ?? 0;
        if (charge && Math.min(p.cancel_amount, p.amount) !== recorded)
          violation(
            "refund_mismatches",
            owner,
            `iamport cancelled ${p.cancel_amount} of the kept charge ${p.imp_uid}, the attempt ${recorded}`,
          );
        continue;
      }
      if (balance === 0) {
        if (refundOwed && refundOwed.state !== "done")
          violation("stuck", owner, `refund owed ${p.imp_uid} is ${refundOwed.state} with nothing held`);
        continue;
      }
      if (refundOwed && (refundOwed.state === "needs_account" || refundOwed.state === "needs_person")) {
        books.waiting_on_person++;
        continue;
      }
      const known =
        Boolean(refundOwed) ||
        order?.refundsOwed?.includes(p.imp_uid) ||
        order?.forgery?.impUid === p.imp_uid;
      violation(
        known ? "unrefunded_surplus" : "lost_payments",
        owner,
        `${p.imp_uid} holds ${balance} (${p.status}); refund owed: ${refundOwed?.state ?? "none"}`,
      );
    }
    if (
      holding +
        payments.filter((p) => !kept.has(p.imp_uid) && held(p) > 0 && !waiting(owed.get(p.imp_uid))).length >
      1
    )
      violation("double_charges", owner, `${payments.filter((p) => held(p) > 0).length} payments hold money`);
    if (charge && kept.size === 1) books.cycles_charged_once++;
  }

  for (const order of orders.values()) {
    if (order.status === "pending" || order.status === "awaiting_deposit")
      violation("stuck", order.merchantUid, `order still ${order.status}`);
    if (order.status === "forged" && order.forgery?.refund === "pending")
      violation("stuck", order.merchantUid, "forgery refund still pending");
  }
  for (const a of attempts.values()) {
    if (a.status === "claimed" || a.status === "unknown")
      violation("stuck", a.merchantUid, `attempt ${a.status}`);
  }
  for (const o of owed.values()) {
    if (o.state === "pending")
      violation("stuck", o.merchantUid, `refund owed ${o.impUid} pending (${o.lastError ?? ""})`);
  }
  for (const r of refundRequests) {
    if (r.state === "in_progress")
      violation("stuck", r.merchantUid, `refund request ${r.idempotencyKey} in progress`);
  }
  auditEvents(items, orders, subs, attempts, violation);
  for (const sub of subs.values()) {
    const paid = [...attempts.values()].filter(
      (a) => a.subscriptionId === sub.id && a.status === "paid" && !a.surplus,
    );
    if (paid.length !== sub.paidCycles)
      violation("refund_mismatches", sub.id, `${paid.length} kept charges, paidCycles ${sub.paidCycles}`);
  }
  return books;
}

/**
 * The outbox against the records it reports (issue: events, none lost and none invented): every event
 * belongs to a change that was written (its version has a history entry in the same partition); an order
 * that was paid has one `order.paid`; a subscription one `subscription.created` and one
 * `subscription.charged` per cycle it kept a charge for; a kept charge refunded at the console has
 * `subscription.charge_refunded` events whose refunds add up to what its attempt records.
 */
function auditEvents(
  items: Record<string, unknown>[],
  orders: Map<string, Order>,
  subs: Map<string, Subscription>,
  attempts: Map<string, ChargeAttempt>,
  violation: (kind: keyof Books, key: string, detail: string) => void,
) {
  const versions = new Set(
    items
      .filter((i) => i.type === "order_event" || i.type === "subscription_event")
      .map((i) => `${i.PK}#${i.version}`),
  );
  // A refund owed is its own aggregate (its own version, beside its owner): its events are checked against it.
  const owedVersions = new Map(
    items.filter((i) => i.type === "owed_refund").map((i) => [`${i.PK}#${i.impUid}`, Number(i.version)]),
  );
  const wrote = (pk: unknown, a: { type?: string; id: string; version: number }) =>
    a.type === "refund_owed"
      ? a.version <= (owedVersions.get(`${pk}#${a.id}`) ?? 0)
      : versions.has(`${pk}#${a.version}`);
  const events = new Map<string, Array<{ type: string; data: Record<string, unknown> }>>();
  for (const item of items) {
    if (item.type !== "outbox") continue;
    const event = item.event as {
      type: string;
      aggregate: { type?: string; id: string; version: number };
      data: never;
    };
    events.set(event.aggregate.id, [...(events.get(event.aggregate.id) ?? []), event]);
    if (!wrote(item.PK, event.aggregate))
      violation(
        "event_mismatches",
        event.aggregate.id,
        `${event.type} at version ${event.aggregate.version}, which no change wrote`,
      );
  }
  const count = (id: string, type: string) => (events.get(id) ?? []).filter((e) => e.type === type).length;
  for (const order of orders.values()) {
    const wasPaid = ["paid", "partially_refunded", "refunded"].includes(order.status);
    const paid = count(order.merchantUid, "order.paid");
    if (wasPaid ? paid !== 1 : paid > 1)
      violation(
        "event_mismatches",
        order.merchantUid,
        `order ${order.status} with ${paid} order.paid events`,
      );
  }
  for (const sub of subs.values()) {
    if (count(sub.id, "subscription.created") !== 1)
      violation(
        "event_mismatches",
        sub.id,
        `${count(sub.id, "subscription.created")} subscription.created events`,
      );
    const charged = new Set(
      (events.get(sub.id) ?? [])
        .filter((e) => e.type === "subscription.charged")
        .map((e) => (e.data as { charge?: { cycle?: number } }).charge?.cycle),
    );
    const chargedEvents = count(sub.id, "subscription.charged");
    if (chargedEvents !== sub.paidCycles || charged.size !== chargedEvents)
      violation(
        "event_mismatches",
        sub.id,
        `${chargedEvents} subscription.charged events (${charged.size} cycles) for ${sub.paidCycles} kept charges`,
      );
  }
  const refunded = new Map<string, number>();
  for (const list of events.values())
    for (const e of list) {
      if (e.type !== "subscription.charge_refunded") continue;
      const data = e.data as { charge: { merchant_uid: string }; refund_amount: number };
      refunded.set(
        data.charge.merchant_uid,
        (refunded.get(data.charge.merchant_uid) ?? 0) + data.refund_amount,
      );
    }
  for (const a of attempts.values()) {
    const told = refunded.get(a.merchantUid) ?? 0;
    if (told !== (a.cancelled?.amount ?? 0))
      violation(
        "event_mismatches",
        a.subscriptionId,
        `subscription.charge_refunded events tell ${told} of ${a.merchantUid}, the attempt records ${a.cancelled?.amount ?? 0}`,
      );
  }
}

/** The status an order kept by `p` has when its books are iamport's. */
function statusOf(p: { cancel_amount: number }, amount: number): Order["status"] {
  return p.cancel_amount >= amount ? "refunded" : p.cancel_amount > 0 ? "partially_refunded" : "paid";
}

function waiting(o: OwedRefund | undefined): boolean {
  return o?.state === "needs_account" || o?.state === "needs_person";
}

async function scan(world: World, projection?: string[]): Promise<Record<string, unknown>[]> {
  const db = createDocumentClient({
    region: world.config.AWS_REGION,
    ...(world.config.DYNAMODB_ENDPOINT ? { endpoint: world.config.DYNAMODB_ENDPOINT } : {}),
  });
  // Two segments at once: DynamoDB Local serves them on two threads.
  const segments = 2;
  const pages = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName: world.config.TABLE_NAME,
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: startKey,
            ...(projection
              ? {
                  ProjectionExpression: projection.map((_, i) => `#p${i}`).join(", "),
                  ExpressionAttributeNames: Object.fromEntries(projection.map((name, i) => [`#p${i}`, name])),
                }
              : {}),
          }),
        );
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    }),
  );
  return pages.flat();
}

/** A fingerprint of our records and iamport's, to tell when the settle rounds stop changing anything. */
/**
 * Work still open in our records: an order, attempt or refund owed on an index the background jobs read
 * (GSI1: the reconciler's `OPEN#`, the lookups' `UNKNOWN#`, the executor's `OWED#`). Read from the index,
 * which holds only open work, not by scanning the table. Subscriptions are on `DUE#` for as long as they
 * bill, and a refund owed waiting on a person is rechecked for ever; neither is work the settle phase can
 * finish. A refund request in progress is the merchant's retry, which the settle phase waits for itself.
 */
export async function openWork(world: World): Promise<number> {
  const db = createDocumentClient({
    region: world.config.AWS_REGION,
    ...(world.config.DYNAMODB_ENDPOINT ? { endpoint: world.config.DYNAMODB_ENDPOINT } : {}),
  });
  const partitions = [
    ...Array.from({ length: OPEN_SHARDS }, (_, i) => openIndexPk(i)),
    ...Array.from({ length: DUE_SHARDS }, (_, i) => unknownIndexPk(i)),
    ...Array.from({ length: OWED_SHARDS }, (_, i) => owedIndexPk(i)),
  ];
  const counts = await Promise.all(
    partitions.map(async (pk) => {
      let open = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: world.config.TABLE_NAME,
            IndexName: "GSI1",
            KeyConditionExpression: "GSI1PK = :pk",
            ExpressionAttributeValues: { ":pk": pk },
            ProjectionExpression: "#s",
            ExpressionAttributeNames: { "#s": "state" },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const i of page.Items ?? [])
          if (!pk.startsWith("OWED#") || (i.state !== "needs_account" && i.state !== "needs_person")) open++;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return open;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}
