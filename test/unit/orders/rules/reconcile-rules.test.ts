import { describe, expect, test } from "vitest";
import type { Order } from "../../../../lib/orders/order.js";
import { DEPOSIT_POLL_MS } from "../../../../lib/orders/rules/order-machine.js";
import type { PaymentFacts } from "../../../../lib/orders/rules/payment-facts.js";
import { decideReconcile } from "../../../../lib/orders/rules/reconcile-rules.js";
import { orderFixture, paymentFixture } from "../../../support/order-fixtures.js";

const now = new Date("2026-11-30T00:00:00.000Z");
const ctx = { now, retryAfterMs: 15 * 60_000 };
const past = "2026-11-29T00:00:00.000Z";
const future = "2026-12-01T00:00:00.000Z";
const unix = (iso: string) => Date.parse(iso) / 1000;

const order = (patch: Partial<Order> = {}): Order =>
  orderFixture({
    version: 2,
    checkAfter: past,
    createdAt: "2026-11-28T00:00:00.000Z",
    updatedAt: "2026-11-28T00:00:00.000Z",
    ...patch,
  });
const payment = (patch: Partial<PaymentFacts> = {}): PaymentFacts => paymentFixture(patch);

const vbankOrder = (patch: Partial<Order> = {}) =>
  order({
    status: "awaiting_deposit",
    payMethod: "vbank",
    impUid: "imp_1",
    vbank: { bankName: "신한은행", number: "56211234567890", holder: "KICC", dueAt: past },
    checkAfter: past,
    ...patch,
  });
const issued = (patch: Partial<PaymentFacts> = {}) =>
  payment({
    status: "ready",
    pay_method: "vbank",
    vbank_num: "56211234567890",
    vbank_date: unix(past),
    ...patch,
  });

describe("not due: nothing to do", () => {
  test.each([
    ["no checkAfter", order({ checkAfter: undefined })],
    ["checkAfter in the future", order({ checkAfter: future })],
  ])("%s", (_name, current) => {
    expect(decideReconcile(current, { payment: null, rejected: false }, ctx).kind).toBe("none");
  });
});

describe("abandoned checkouts expire once iamport confirms no money", () => {
  test.each([
    ["no payment at all", null],
    ["a closed window (failed)", payment({ status: "failed" })],
    ["an abandoned window (ready, not a virtual account)", payment({ status: "ready", pay_method: "card" })],
    ["a cancelled attempt", payment({ status: "cancelled", cancel_amount: 10_000 })],
  ])("pending past its deadline with %s → expired, off the due index, next version", (_name, facts) => {
    const decision = decideReconcile(order(), { payment: facts, rejected: false }, ctx);

    expect(decision.kind).toBe("expire");
    if (decision.kind !== "expire") return;
    expect(decision.next).toMatchObject({ status: "expired", version: 3, updatedAt: now.toISOString() });
    expect(decision.next.checkAfter).toBeUndefined();
  });

  test("a failed order past its deadline expires too", () => {
    const decision = decideReconcile(
      order({ status: "failed" }),
      { payment: payment({ status: "failed" }), rejected: false },
      ctx,
    );

    expect(decision.kind === "expire" && decision.next.status).toBe("expired");
  });

  test.each([
    ["paid", payment()],
    ["partly cancelled, reported as cancelled", payment({ status: "cancelled", cancel_amount: 3_000 })],
    ["an issued virtual account", issued()],
  ])("money or an issued account at iamport (%s) never expires: looked at again later", (_name, facts) => {
    const decision = decideReconcile(order(), { payment: facts, rejected: false }, ctx);

    expect(decision.kind).toBe("recheck");
    if (decision.kind !== "recheck") return;
    expect(decision.next.status).toBe("pending");
    expect(decision.next.checkAfter).toBe("2026-11-30T00:15:00.000Z");
  });

  test("a record verifyPayment refused is left for a person, not expired", () => {
    const decision = decideReconcile(order(), { payment: payment({ sandbox: true }), rejected: true }, ctx);

    expect(decision.kind).toBe("recheck");
  });
});

describe("virtual accounts past their deadline", () => {
  test("still ready at iamport → expired", () => {
    const decision = decideReconcile(vbankOrder(), { payment: issued(), rejected: false }, ctx);

    expect(decision.kind).toBe("expire");
    if (decision.kind !== "expire") return;
    expect(decision.next).toMatchObject({ status: "expired", vbank: { number: "56211234567890" } });
    expect(decision.next.checkAfter).toBeUndefined();
  });

  test("closed at iamport (cancelled without a deposit) → expired", () => {
    const decision = decideReconcile(
      vbankOrder(),
      { payment: issued({ status: "cancelled" }), rejected: false },
      ctx,
    );

    expect(decision.kind).toBe("expire");
  });

  test("deposited at iamport (the webhook never came) is never expired", () => {
    const decision = decideReconcile(
      vbankOrder(),
      { payment: issued({ status: "paid" }), rejected: false },
      ctx,
    );

    expect(decision.kind).toBe("recheck");
  });

  test("a deadline iamport extended is waited for, looking for a lost deposit webhook hourly", () => {
    const decision = decideReconcile(
      vbankOrder(),
      { payment: issued({ vbank_date: unix(future) }), rejected: false },
      ctx,
    );

    expect(decision.kind).toBe("recheck");
    if (decision.kind !== "recheck") return;
    expect(decision.next.checkAfter).toBe(new Date(now.getTime() + DEPOSIT_POLL_MS).toISOString());
  });

  test("a deadline within the hour is checked at the deadline", () => {
    const soon = new Date(now.getTime() + 10 * 60_000).toISOString();
    const decision = decideReconcile(
      vbankOrder(),
      { payment: issued({ vbank_date: unix(soon) }), rejected: false },
      ctx,
    );

    expect(decision.kind === "recheck" && decision.next.checkAfter).toBe(soon);
  });

  test("iamport unable to find the account: not expired", () => {
    expect(decideReconcile(vbankOrder(), { payment: null, rejected: false }, ctx).kind).toBe("recheck");
  });
});

describe("flags after a balance mismatch", () => {
  const flagged = (patch: Partial<Order> = {}) =>
    order({
      status: "partially_refunded",
      impUid: "imp_1",
      refundedAmount: 3_000,
      checkAfter: past,
      ...patch,
    });

  test("iamport agrees with the order → the flag is cleared, the state kept", () => {
    const decision = decideReconcile(
      flagged(),
      { payment: payment({ cancel_amount: 3_000 }), rejected: false },
      ctx,
    );

    expect(decision.kind).toBe("settle");
    if (decision.kind !== "settle") return;
    expect(decision.next).toMatchObject({ status: "partially_refunded", refundedAmount: 3_000, version: 3 });
    expect(decision.next.checkAfter).toBeUndefined();
  });

  test("iamport still differs → looked at again later", () => {
    const decision = decideReconcile(
      flagged(),
      { payment: payment({ cancel_amount: 5_000 }), rejected: false },
      ctx,
    );

    expect(decision.kind).toBe("recheck");
  });

  test("a forged order whose refund is pending stays due; once done it is settled", () => {
    const forgery = { impUid: "imp_1", paidAmount: 100, expectedAmount: 10_000, refundedAmount: 0 };
    const pending = order({ status: "forged", forgery: { ...forgery, refund: "pending" } });
    const done = order({ status: "forged", forgery: { ...forgery, refund: "done" } });

    expect(decideReconcile(pending, { payment: payment({ amount: 100 }), rejected: false }, ctx).kind).toBe(
      "recheck",
    );
    expect(decideReconcile(done, { payment: payment({ amount: 100 }), rejected: false }, ctx).kind).toBe(
      "settle",
    );
  });
});
