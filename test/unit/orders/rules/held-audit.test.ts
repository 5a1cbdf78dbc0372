import { expect, test } from "vitest";
import type { Order } from "../../../../lib/orders/order.js";
import {
  auditAgainAt,
  HELD_AUDIT_HORIZON_MS,
  HELD_AUDIT_INTERVAL_MS,
  nextHeldAudit,
  recordAgrees,
} from "../../../../lib/orders/rules/held-audit.js";
import type { PaymentFacts } from "../../../../lib/orders/rules/payment-facts.js";

const paidAt = "2026-06-01T00:00:00.000Z";
const order = (patch: Partial<Order> = {}): Order =>
  ({
    merchantUid: "ord_held",
    status: "paid",
    version: 3,
    amount: 10_000,
    refundedAmount: 0,
    impUid: "imp_held",
    paidAt,
    createdAt: paidAt,
    updatedAt: "2026-06-02T00:00:00.000Z",
    ...patch,
  }) as Order;
const payment = (patch: Partial<PaymentFacts> = {}): PaymentFacts =>
  ({ imp_uid: "imp_held", status: "paid", amount: 10_000, cancel_amount: 0, ...patch }) as PaymentFacts;

test("an order holding money is audited a day after its last change, or when its audit says", () => {
  expect(nextHeldAudit(order())).toBe(
    new Date(Date.parse("2026-06-02T00:00:00.000Z") + HELD_AUDIT_INTERVAL_MS).toISOString(),
  );
  expect(nextHeldAudit(order({ status: "partially_refunded", refundedAmount: 1 }))).toBeDefined();
  expect(nextHeldAudit(order({ auditAfter: "2026-07-01T00:00:00.000Z" }))).toBe("2026-07-01T00:00:00.000Z");
});

test("not audited: holding nothing, on the reconciler's due index, without a payment, or past the horizon", () => {
  for (const status of ["pending", "awaiting_deposit", "refunded", "expired", "forged", "failed"] as const)
    expect(nextHeldAudit(order({ status }))).toBeUndefined();
  expect(nextHeldAudit(order({ checkAfter: "2026-06-03T00:00:00.000Z" }))).toBeUndefined();
  expect(nextHeldAudit(order({ impUid: undefined }))).toBeUndefined();
  const past = new Date(Date.parse(paidAt) + HELD_AUDIT_HORIZON_MS + 1).toISOString();
  expect(nextHeldAudit(order({ auditAfter: past }))).toBeUndefined();
  const last = new Date(Date.parse(paidAt) + HELD_AUDIT_HORIZON_MS).toISOString();
  expect(nextHeldAudit(order({ auditAfter: last }))).toBe(last);
});

test("iamport agrees when its record of the order's own payment holds money and says the same refunds", () => {
  expect(recordAgrees(order(), payment())).toBe(true);
  expect(
    recordAgrees(order({ refundedAmount: 2_000 }), payment({ cancel_amount: 2_000, status: "cancelled" })),
  ).toBe(true);
  expect(recordAgrees(order(), payment({ cancel_amount: 2_000 }))).toBe(false);
  expect(recordAgrees(order(), payment({ cancel_amount: 10_000, status: "cancelled" }))).toBe(false);
  expect(recordAgrees(order(), payment({ imp_uid: "imp_other" }))).toBe(false);
});

test("the next audit is a day after this one", () => {
  expect(auditAgainAt(new Date("2026-06-05T10:00:00.000Z"))).toBe("2026-06-06T10:00:00.000Z");
});
