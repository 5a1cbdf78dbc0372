import { describe, expect, test } from "vitest";
import type { DomainEvent } from "../../../../lib/events/domain-event.js";
import { eventSchemas } from "../../../../lib/events/event-schemas.js";
import type { Order, OrderEvent } from "../../../../lib/orders/order.js";
import { orderEvents } from "../../../../lib/orders/rules/order-events.js";
import { orderFixture } from "../../../support/order-fixtures.js";

const at = "2026-11-27T01:00:00.000Z";
/** The events of `current` → `current + patch`, each checked against its type's schema. */
function change(current: Order, patch: Partial<Order>): { next: Order; events: DomainEvent[] } {
  const next = { ...current, ...patch, version: current.version + 1, updatedAt: at };
  const history: OrderEvent = {
    version: next.version,
    at,
    from: current.status,
    to: next.status,
    source: "webhook",
    reason: "test",
  };
  const events = orderEvents(current, next, history);
  for (const e of events) expect(eventSchemas[e.type].safeParse(e.data).success, e.type).toBe(true);
  return { next, events };
}
const types = (events: DomainEvent[]) => events.map((e) => e.type);

describe("order events", () => {
  test("paid, then refunded in part twice, then in full: one event per change with the amounts", () => {
    const paid = change(orderFixture(), { status: "paid", impUid: "imp_1", paidAt: at });
    expect(types(paid.events)).toEqual(["order.paid"]);
    expect(paid.events[0]).toMatchObject({ aggregate: { type: "order", id: "m-1", version: 2 }, time: at });

    const refund = (id: string, amount: number) => ({
      cancellationId: id,
      amount,
      reason: "r",
      cancelledAt: at,
    });
    const part1 = change(paid.next, {
      status: "partially_refunded",
      refundedAmount: 3_000,
      refunds: [refund("c1", 3_000)],
    });
    const part2 = change(part1.next, {
      refundedAmount: 5_000,
      refunds: [refund("c1", 3_000), refund("c2", 2_000)],
    });
    const full = change(part2.next, {
      status: "refunded",
      refundedAmount: 10_000,
      refunds: [...part2.next.refunds, refund("c3", 5_000)],
    });

    expect(types(part1.events)).toEqual(["order.partially_refunded"]);
    expect(part2.events[0]?.data).toMatchObject({
      refund_amount: 2_000,
      refunded_amount: 5_000,
      remaining_amount: 5_000,
      cancellation_ids: ["c2"],
    });
    expect(types(full.events)).toEqual(["order.refunded"]);
    expect(full.events[0]?.data).toMatchObject({ refund_amount: 5_000, remaining_amount: 0 });
  });

  test("a virtual account: vbank.issued, then vbank.deposited and order.paid in the same change", () => {
    const vbank = { bankName: "KB", number: "123", holder: "KICC", dueAt: "2026-11-30T00:00:00.000Z" };
    const issued = change(orderFixture({ payMethod: "vbank" }), {
      status: "awaiting_deposit",
      vbank,
      impUid: "imp_v",
    });
    const deposited = change(issued.next, { status: "paid", paidAt: at });

    expect(types(issued.events)).toEqual(["vbank.issued"]);
    expect(issued.events[0]?.data).toMatchObject({ account_number: "123", due_at: vbank.dueAt });
    expect(types(deposited.events)).toEqual(["vbank.deposited", "order.paid"]);
  });

  test("failed, expired, forged, and a forgery's refund waiting for an account then done", () => {
    expect(types(change(orderFixture(), { status: "failed" }).events)).toEqual(["order.failed"]);
    expect(types(change(orderFixture(), { status: "expired" }).events)).toEqual(["order.expired"]);
    const forgery = {
      impUid: "imp_f",
      paidAmount: 100,
      expectedAmount: 10_000,
      refund: "pending" as const,
      refundedAmount: 0,
    };
    const forged = change(orderFixture(), { status: "forged", forgery });
    expect(types(forged.events)).toEqual(["order.forged"]);
    const waits = change(forged.next, { forgery: { ...forgery, refund: "needs_account" } });
    expect(types(waits.events)).toEqual(["order.refund_needs_account"]);
    const done = change(waits.next, { forgery: { ...forgery, refund: "done", refundedAmount: 100 } });
    expect(types(done.events)).toEqual(["order.forgery_refunded"]);
  });

  test("a change that moves only bookkeeping (the reconciler looks later) publishes nothing", () => {
    expect(change(orderFixture(), { checkAfter: "2026-11-29T00:00:00.000Z" }).events).toEqual([]);
  });
});
