import { describe, expect, test } from "vitest";
import type { Order, OrderStatus } from "../../../../lib/orders/order.js";
import {
  DEPOSIT_POLL_MS,
  decideOrderUpdate,
  isIssuedVirtualAccount,
  refundsFrom,
} from "../../../../lib/orders/rules/order-machine.js";
import { choosePayment, type PaymentFacts } from "../../../../lib/orders/rules/payment-facts.js";
import { orderFixture, paymentFixture } from "../../../support/order-fixtures.js";

const now = new Date("2026-11-27T03:00:00.000Z");
const ctx = { mode: "live" as const, now, source: "webhook" as const };

const order = (patch: Partial<Order> = {}): Order => orderFixture(patch);
const payment = (patch: Partial<PaymentFacts> = {}): PaymentFacts =>
  paymentFixture({ paid_at: 1_764_200_000, ...patch });

describe("invariant 1: only iamport's matching record pays", () => {
  test("paid with the expected amount → paid, stamped with the next version", () => {
    const decision = decideOrderUpdate(order(), payment(), ctx);

    expect(decision.kind).toBe("transition");
    if (decision.kind !== "transition") return;
    expect(decision.next).toMatchObject({
      status: "paid",
      version: 2,
      impUid: "imp_1",
      updatedAt: now.toISOString(),
    });
    expect(decision.next.checkAfter).toBeUndefined();
    expect(decision.next.paidAt).toBe(new Date(1_764_200_000_000).toISOString());
  });

  test.each([
    [{ merchant_uid: "m-2" }, "merchant_uid_mismatch"],
    [{ pg_provider: "inicis" }, "not_kicc"],
    [{ pg_provider: null }, "not_kicc"],
    [{ sandbox: true }, "test_channel_in_live_mode"],
  ])("%j is rejected as %s", (patch, reason) => {
    expect(decideOrderUpdate(order(), payment(patch), ctx)).toEqual({ kind: "reject", reason });
  });

  test("with our MIDs configured, a payment through another KICC MID is not ours", () => {
    const ours = { ...ctx, pgIds: ["T5102001", "B5102002"] };

    expect(decideOrderUpdate(order(), payment({ pg_id: "X999" }), ours)).toEqual({
      kind: "reject",
      reason: "unknown_mid",
    });
    expect(decideOrderUpdate(order(), payment({ pg_id: null }), ours).kind).toBe("reject");
    expect(decideOrderUpdate(order(), payment({ pg_id: "T5102001" }), ours).kind).toBe("transition");
  });

  test("a test-channel payment is accepted in test mode", () => {
    const decision = decideOrderUpdate(order(), payment({ sandbox: true }), { ...ctx, mode: "test" });

    expect(decision.kind).toBe("transition");
  });

  test("ready is a virtual account only for vbank with an account number", () => {
    expect(isIssuedVirtualAccount(payment({ status: "ready", pay_method: "vbank", vbank_num: "123" }))).toBe(
      true,
    );
    expect(isIssuedVirtualAccount(payment({ status: "ready", pay_method: "vbank", vbank_num: null }))).toBe(
      false,
    );
    expect(isIssuedVirtualAccount(payment({ status: "ready", pay_method: "card", vbank_num: "123" }))).toBe(
      false,
    );
  });

  test("ready without a virtual account (an abandoned window) changes nothing", () => {
    expect(decideOrderUpdate(order(), payment({ status: "ready", paid_at: 0 }), ctx).kind).toBe("none");
  });

  test("an issued virtual account → awaiting_deposit with its details and the deadline to check", () => {
    const decision = decideOrderUpdate(
      order({ payMethod: "vbank" }),
      payment({
        status: "ready",
        pay_method: "vbank",
        vbank_name: "국민은행",
        vbank_code: "004",
        vbank_num: "123-456",
        vbank_holder: "KICC",
        vbank_date: now.getTime() / 1000 + 86_400,
      }),
      ctx,
    );

    expect(decision.kind).toBe("transition");
    if (decision.kind !== "transition") return;
    expect(decision.next.status).toBe("awaiting_deposit");
    expect(decision.next.vbank).toEqual({
      bankName: "국민은행",
      bankCode: "004",
      number: "123-456",
      holder: "KICC",
      dueAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    // The deadline is a day away: the reconciler looks within the hour in case the deposit webhook is lost.
    expect(decision.next.checkAfter).toBe(new Date(now.getTime() + DEPOSIT_POLL_MS).toISOString());
  });

  test("a virtual account due sooner than the next hourly look is checked at its deadline", () => {
    const due = Math.floor(now.getTime() / 1000) + 600;
    const decision = decideOrderUpdate(
      order({ payMethod: "vbank" }),
      payment({ status: "ready", pay_method: "vbank", vbank_num: "1", vbank_date: due }),
      ctx,
    );

    expect(decision.kind === "transition" && decision.next.checkAfter).toBe(
      new Date(due * 1000).toISOString(),
    );
  });

  test("failed → order failed with iamport's reason", () => {
    const decision = decideOrderUpdate(order(), payment({ status: "failed", fail_reason: "한도초과" }), ctx);

    expect(decision.kind === "transition" && decision.next).toMatchObject({
      status: "failed",
      failReason: "한도초과",
    });
  });
});

describe("invariant 4: state only moves forward", () => {
  const terminalish: OrderStatus[] = ["paid", "partially_refunded", "refunded"];

  test.each(terminalish)("%s ignores a failed or ready record of the same payment", (status) => {
    const current = order({ status, impUid: "imp_1", refundedAmount: status === "refunded" ? 10_000 : 0 });

    expect(decideOrderUpdate(current, payment({ status: "failed" }), ctx).kind).toBe("none");
    expect(decideOrderUpdate(current, payment({ status: "ready" }), ctx).kind).toBe("none");
  });

  test("paid ignores a replay of the same paid record", () => {
    expect(decideOrderUpdate(order({ status: "paid", impUid: "imp_1" }), payment(), ctx).kind).toBe("none");
  });

  test("a failed order can still be paid by a later attempt under the same merchant_uid", () => {
    const decision = decideOrderUpdate(order({ status: "failed", impUid: "imp_0" }), payment(), ctx);

    expect(decision.kind === "transition" && decision.next.status).toBe("paid");
  });

  test("an expired order still records money that iamport says arrived", () => {
    const decision = decideOrderUpdate(order({ status: "expired" }), payment(), ctx);

    expect(decision.kind === "transition" && decision.next.status).toBe("paid");
  });

  test("an expired virtual account's ready record (a replayed redirect or webhook) does not reopen the order", () => {
    const expired = order({ status: "expired", payMethod: "vbank", impUid: "imp_1", checkAfter: undefined });
    const stillReady = payment({
      status: "ready",
      pay_method: "vbank",
      vbank_num: "1",
      vbank_date: now.getTime() / 1000 - 3_600,
      paid_at: 0,
    });

    expect(decideOrderUpdate(expired, stillReady, ctx).kind).toBe("none");
  });

  test("a second, different paid payment for a paid order is refunded in full; the order keeps its own", () => {
    const paid = order({ status: "paid", impUid: "imp_1" });
    const decision = decideOrderUpdate(paid, payment({ imp_uid: "imp_2" }), ctx);

    expect(decision).toMatchObject({
      kind: "refund_other",
      refundable: 10_000,
      next: { status: "paid", impUid: "imp_1", refundsOwed: ["imp_2"], version: paid.version + 1 },
    });
  });

  test("a second payment already decided is not decided again", () => {
    const paid = order({ status: "paid", impUid: "imp_1", refundsOwed: ["imp_2"] });
    expect(decideOrderUpdate(paid, payment({ imp_uid: "imp_2" }), ctx).kind).toBe("none");
  });

  test("a paid payment beside a forged one is refunded as a second payment, not mixed into the forgery", () => {
    const forged = order({
      status: "forged",
      impUid: "imp_1",
      forgery: {
        impUid: "imp_1",
        paidAmount: 100,
        expectedAmount: 15_000,
        refund: "done",
        refundedAmount: 100,
      },
    });
    const decision = decideOrderUpdate(forged, payment({ imp_uid: "imp_2" }), ctx);
    expect(decision).toMatchObject({ kind: "refund_other", next: { refundsOwed: ["imp_2"] } });
    if (decision.kind === "refund_other") expect(decision.next.forgery).toEqual(forged.forgery);
  });

  test("a failed or fully cancelled second attempt needs nothing", () => {
    const paid = order({ status: "paid", impUid: "imp_1" });
    expect(decideOrderUpdate(paid, payment({ imp_uid: "imp_2", status: "failed" }), ctx).kind).toBe("none");
    expect(
      decideOrderUpdate(paid, payment({ imp_uid: "imp_2", status: "cancelled", cancel_amount: 15_000 }), ctx)
        .kind,
    ).toBe("none");
  });

  test("refund state comes from cancel_amount, not the status string", () => {
    const partial = decideOrderUpdate(
      order({ status: "paid", impUid: "imp_1" }),
      payment({
        status: "paid",
        cancel_amount: 3_000,
        cancel_history: [
          { amount: 3_000, cancelled_at: 1_764_210_000, reason: "size", cancellation_id: "c-1" },
        ],
      }),
      ctx,
    );
    const full = decideOrderUpdate(
      order({ status: "partially_refunded", impUid: "imp_1", refundedAmount: 3_000 }),
      payment({ status: "cancelled", cancel_amount: 10_000 }),
      ctx,
    );

    expect(partial.kind === "transition" && partial.next).toMatchObject({
      status: "partially_refunded",
      refundedAmount: 3_000,
      refunds: [{ cancellationId: "c-1", amount: 3_000, reason: "size" }],
    });
    expect(full.kind === "transition" && full.next).toMatchObject({
      status: "refunded",
      refundedAmount: 10_000,
    });
  });

  test("a partial cancel reported as `cancelled` (status undocumented) still holds money: paid, then partially refunded", () => {
    const partlyCancelled = payment({
      status: "cancelled",
      cancel_amount: 3_000,
      cancel_history: [
        { amount: 3_000, cancelled_at: 1_764_210_000, reason: "size", cancellation_id: "c-1" },
      ],
    });

    const first = decideOrderUpdate(order(), partlyCancelled, ctx);
    expect(first.kind === "transition" && first.next.status).toBe("paid");
    if (first.kind !== "transition") return;
    const second = decideOrderUpdate(first.next, partlyCancelled, ctx);
    expect(second.kind === "transition" && second.next).toMatchObject({
      status: "partially_refunded",
      refundedAmount: 3_000,
    });
  });

  test("a wrong amount partly cancelled and reported as `cancelled` is still refunded in full", () => {
    const decision = decideOrderUpdate(
      order(),
      payment({ amount: 20_000, status: "cancelled", cancel_amount: 5_000 }),
      ctx,
    );

    expect(decision).toMatchObject({ kind: "refund_forged", refundable: 15_000 });
  });

  test("a fully cancelled record of an unpaid virtual account is not money", () => {
    const closed = payment({ status: "cancelled", pay_method: "vbank", cancel_amount: 0, paid_at: 0 });

    expect(decideOrderUpdate(order({ payMethod: "vbank" }), closed, ctx).kind).toBe("none");
  });

  test("refunds are keyed by cancellation_id: a repeated entry counts once", () => {
    const entry = { amount: 1_000, cancelled_at: 1, reason: "r", cancellation_id: "c-9" };

    expect(refundsFrom(payment({ cancel_history: [entry, entry] }))).toHaveLength(1);
  });
});

describe("invariant 2: a wrong amount is refunded in full and never fulfilled", () => {
  test.each([
    [{ amount: 100 }, 100],
    [{ amount: 20_000 }, 20_000],
    [{ amount: 10_000, currency: "USD" }, 10_000],
  ])("paid %j → forged, refund pending of %i", (patch, refundable) => {
    const decision = decideOrderUpdate(order(), payment(patch), ctx);

    expect(decision.kind).toBe("refund_forged");
    if (decision.kind !== "refund_forged") return;
    expect(decision.refundable).toBe(refundable);
    expect(decision.next).toMatchObject({
      status: "forged",
      forgery: { refund: "pending", expectedAmount: 10_000 },
    });
  });

  test("a forged payment already partly cancelled refunds only what iamport still holds", () => {
    const decision = decideOrderUpdate(order(), payment({ amount: 500, cancel_amount: 200 }), ctx);

    expect(decision.kind === "refund_forged" && decision.refundable).toBe(300);
  });

  test("a virtual account issued for the wrong amount → forged, nothing to refund yet", () => {
    const decision = decideOrderUpdate(
      order({ payMethod: "vbank" }),
      payment({ status: "ready", pay_method: "vbank", vbank_num: "1", amount: 1 }),
      ctx,
    );

    expect(decision.kind === "transition" && decision.next).toMatchObject({
      status: "forged",
      forgery: { refund: "none" },
    });
  });

  test("a forged virtual account stays watched: the reconciler looks within the hour, until its deadline", () => {
    const due = Math.floor(ctx.now.getTime() / 1000) + 3 * 3600;
    const decision = decideOrderUpdate(
      order({ payMethod: "vbank" }),
      payment({ status: "ready", pay_method: "vbank", vbank_num: "1", amount: 1, vbank_date: due }),
      ctx,
    );
    const next = decision.kind === "transition" ? decision.next : undefined;
    expect(next?.checkAfter).toBe(new Date(ctx.now.getTime() + 3600_000).toISOString());
    expect(next?.vbank?.dueAt).toBe(new Date(due * 1000).toISOString());
  });

  test("forged with the refund pending and iamport's balance at 0 → refund done", () => {
    const forged = order({
      status: "forged",
      forgery: {
        impUid: "imp_1",
        paidAmount: 100,
        expectedAmount: 10_000,
        refund: "pending",
        refundedAmount: 0,
      },
    });

    const decision = decideOrderUpdate(
      forged,
      payment({ amount: 100, cancel_amount: 100, status: "cancelled" }),
      ctx,
    );

    expect(decision.kind === "transition" && decision.next.forgery).toMatchObject({
      refund: "done",
      refundedAmount: 100,
    });
  });

  test("forged with the refund pending and money still held → retry the refund without a new version", () => {
    const forged = order({
      status: "forged",
      forgery: {
        impUid: "imp_1",
        paidAmount: 100,
        expectedAmount: 10_000,
        refund: "pending",
        refundedAmount: 0,
      },
    });

    const decision = decideOrderUpdate(forged, payment({ amount: 100 }), ctx);

    expect(decision).toMatchObject({ kind: "refund_forged", refundable: 100 });
    expect(decision.kind === "refund_forged" && decision.next).toBeUndefined();
  });

  test("a forged vbank order whose wrong deposit arrives later gets it refunded", () => {
    const forged = order({
      status: "forged",
      forgery: { impUid: "imp_1", paidAmount: 1, expectedAmount: 10_000, refund: "none", refundedAmount: 0 },
    });

    const decision = decideOrderUpdate(
      forged,
      payment({ amount: 1, status: "paid", pay_method: "vbank" }),
      ctx,
    );

    expect(decision.kind === "refund_forged" && decision.next?.forgery?.refund).toBe("pending");
  });

  test("a forged order with nothing held stays as it is", () => {
    const forged = order({
      status: "forged",
      forgery: {
        impUid: "imp_1",
        paidAmount: 100,
        expectedAmount: 10_000,
        refund: "done",
        refundedAmount: 100,
      },
    });

    expect(decideOrderUpdate(forged, payment({ amount: 100, cancel_amount: 100 }), ctx).kind).toBe("none");
  });

  test("a paid order is never turned into forged by a later record", () => {
    expect(
      decideOrderUpdate(order({ status: "paid", impUid: "imp_1" }), payment({ amount: 1 }), ctx).kind,
    ).not.toBe("refund_forged");
  });
});

describe("choosing the attempt that decides, when only the merchant_uid is known", () => {
  test("money first, then an issued virtual account, then iamport's newest", () => {
    const failedCard = payment({ imp_uid: "imp_3", status: "failed", pay_method: "card" });
    const issued = payment({ imp_uid: "imp_2", status: "ready", pay_method: "vbank", vbank_num: "123" });
    const paid = payment({ imp_uid: "imp_1", status: "paid" });

    expect(choosePayment([failedCard, issued, paid])?.imp_uid).toBe("imp_1");
    expect(choosePayment([failedCard, issued])?.imp_uid).toBe("imp_2");
    expect(choosePayment([failedCard])?.imp_uid).toBe("imp_3");
    expect(choosePayment([])).toBeNull();
  });
});
