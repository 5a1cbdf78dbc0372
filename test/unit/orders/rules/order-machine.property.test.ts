/**
 * The order rules over any order of notifications (fast-check): whatever
 * permutation and duplication of iamport's records of one merchant_uid a
 * door sees, the order converges on the state the straight sequence reaches
 * when one payment holds money; with several, exactly one is kept and every
 * other is given back (a refund owed), never both kept. Money never moves
 * backwards, and a terminal state stays terminal.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Order } from "../../../../lib/orders/order.js";
import { decideOrderUpdate } from "../../../../lib/orders/rules/order-machine.js";
import { holdsMoney, type PaymentFacts } from "../../../../lib/orders/rules/payment-facts.js";
import { orderFixture, paymentFixture } from "../../../support/order-fixtures.js";

const ctx = { mode: "test" as const, now: new Date("2026-11-27T12:00:00Z"), source: "webhook" as const };

/** iamport's record of one attempt under `m-1`, as it stands now. */
const record = (impUid: string) =>
  fc
    .constantFrom<Partial<PaymentFacts>>(
      { status: "paid" },
      { status: "paid", cancel_amount: 3_000 },
      { status: "cancelled", cancel_amount: 10_000 },
      { status: "failed", fail_reason: "[8326] 잔액부족" },
      { status: "ready", pay_method: "vbank", vbank_num: "123", vbank_date: 1_900_000_000 },
      { status: "paid", amount: 100 },
      { status: "ready" },
    )
    .map((patch) => paymentFixture({ imp_uid: impUid, ...patch }));

const records = fc
  .uniqueArray(fc.constantFrom("imp_1", "imp_2", "imp_3"), { minLength: 1, maxLength: 3 })
  .chain((ids) => fc.tuple(...ids.map(record)));

/** Every door's notification re-reads the record and applies the decision, as verifyPayment does. */
function fold(order: Order, sequence: PaymentFacts[]): { order: Order; trail: Order[] } {
  let current = order;
  const trail = [order];
  for (const payment of sequence) {
    for (let round = 0; round < 4; round++) {
      const decision = decideOrderUpdate(current, payment, ctx);
      if (decision.kind === "none" || decision.kind === "reject" || !("next" in decision) || !decision.next)
        break;
      current = decision.next;
      trail.push(current);
    }
  }
  return { order: current, trail };
}

const noticeOrders = (set: PaymentFacts[]) =>
  fc
    .array(fc.constantFrom(...set), { minLength: set.length, maxLength: set.length * 3 })
    .map((extra) => [...set, ...extra])
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));

describe("the order rules, any order of notifications", () => {
  test("one payment holding money: every permutation and duplication ends where the straight sequence ends", () => {
    fc.assert(
      fc.property(
        records.filter((set) => set.filter(holdsMoney).length <= 1),
        fc.constantFrom("card" as const, "vbank" as const),
        (set, payMethod) => {
          const start = orderFixture({ payMethod });
          const straight = fold(start, set).order;
          fc.assert(
            fc.property(noticeOrders(set), (sequence) => {
              const { order } = fold(start, sequence);
              expect(pick(order)).toEqual(pick(straight));
            }),
            { numRuns: 30 },
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test("several payments holding money: exactly one is kept, every other is given back, in any order", () => {
    fc.assert(
      fc.property(
        records.filter((set) => set.filter(holdsMoney).length >= 2),
        (set) => {
          fc.assert(
            fc.property(noticeOrders(set), (sequence) => {
              const { order } = fold(orderFixture(), sequence);
              const holding = set.filter(holdsMoney).map((p) => p.imp_uid);
              const kept = order.status === "forged" ? order.forgery?.impUid : order.impUid;
              expect(holding).toContain(kept);
              for (const other of holding.filter((id) => id !== kept))
                expect(order.refundsOwed).toContain(other);
              expect(order.refundsOwed ?? []).not.toContain(kept);
            }),
            { numRuns: 20 },
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test("money never moves backwards and a terminal state stays terminal", () => {
    fc.assert(
      fc.property(
        records.chain((set) => noticeOrders(set)),
        (sequence) => {
          const { trail } = fold(orderFixture(), sequence);
          for (let i = 1; i < trail.length; i++) {
            const [before, after] = [trail[i - 1] as Order, trail[i] as Order];
            expect(after.refundedAmount).toBeGreaterThanOrEqual(before.refundedAmount);
            expect(after.version).toBe(before.version + 1);
            if (before.status === "forged") expect(after.status).toBe("forged");
            if (before.status === "refunded") expect(after.status).toBe("refunded");
            if (before.status === "paid" || before.status === "partially_refunded")
              expect(["paid", "partially_refunded", "refunded"]).toContain(after.status);
            expect((after.refundsOwed ?? []).slice(0, (before.refundsOwed ?? []).length)).toEqual(
              before.refundsOwed ?? [],
            );
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});

/** What money depends on: which failed attempt or which of two open accounts is named is not. */
function pick(order: Order) {
  const holds = ["paid", "partially_refunded", "refunded", "forged"].includes(order.status);
  return {
    status: order.status,
    impUid: holds ? order.impUid : undefined,
    refundedAmount: order.refundedAmount,
    forgery: order.forgery?.impUid,
    refundsOwed: [...(order.refundsOwed ?? [])].sort(),
  };
}
