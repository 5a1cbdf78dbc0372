/**
 * POST /orders/{merchant_uid}/refunds through the real handler, DynamoDB Local
 * and the iamport sandbox over HTTP.
 */
import { describe, expect, test } from "vitest";
import { useStack } from "../../../support/stack.js";
import { control, iamportPayment, order, paidOrder, refund, runReconcileHandler } from "./support.js";

const ctx = useStack();

describe("refunds", () => {
  test("partial, then the rest: the order follows iamport's cancel_amount and cancel_history", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });

    const partial = await refund(t, merchantUid, { amount: 5_000, reason: "사이즈 교환" });
    const rest = await refund(t, merchantUid, { reason: "고객 변심" });

    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({
      merchant_uid: merchantUid,
      refund: { amount: 5_000, tax_free: 0, reason: "사이즈 교환" },
      order: { status: "partially_refunded", refunded_amount: 5_000, refundable_amount: 7_000 },
    });
    expect(rest.status).toBe(201);
    expect(rest.body).toMatchObject({
      refund: { amount: 7_000 },
      order: { status: "refunded", refunded_amount: 12_000, refundable_amount: 0 },
    });
    const atIamport = iamportPayment(t, impUid);
    expect(atIamport.cancel_amount).toBe(12_000);
    const view = await order(t, merchantUid);
    const ids = view.refunds.map((r: { cancellation_id: string }) => r.cancellation_id);
    expect(ids).toEqual(atIamport.cancel_history.map((entry) => entry.cancellation_id));
    expect(ids).toEqual([partial.body.refund.cancellation_id, rest.body.refund.cancellation_id]);
    expect(view.history.map((e: { to: string; source: string }) => `${e.to}/${e.source}`)).toEqual([
      "pending/api",
      "paid/webhook",
      "partially_refunded/api",
      "refunded/api",
    ]);
  });

  test("a retry with the same key gets the stored answer and refunds nothing more", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    const body = { amount: 1_000, reason: "retry me" };

    const first = await refund(t, merchantUid, body, "refund-retry-1");
    const again = await refund(t, merchantUid, body, "refund-retry-1");

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
  });

  test("the same key with a different body is a 409 and refunds nothing", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    await refund(t, merchantUid, { amount: 1_000, reason: "first" }, "refund-reuse-1");

    const res = await refund(t, merchantUid, { amount: 2_000, reason: "first" }, "refund-reuse-1");

    expect(res.status).toBe(409);
    expect(res.body.error).toBe("idempotency_key_reused");
    expect(iamportPayment(t, impUid).cancel_amount).toBe(1_000);
  });

  test("concurrent duplicates (same key): one refund at iamport, every caller gets it", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);

    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        refund(t, merchantUid, { amount: 3_000, reason: "dup" }, "refund-dup-1"),
      ),
    );

    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.refund.cancellation_id)).size).toBe(1);
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
    expect((await order(t, merchantUid)).refunded_amount).toBe(3_000);
  });

  test("concurrent full refunds under different keys: iamport's checksum lets exactly one through", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);

    const keys = ["full-a", "full-b", "full-c"];
    const answers = await Promise.all(
      keys.map((key) => refund(t, merchantUid, { reason: "everything" }, key)),
    );

    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    // A loser was refused because the winner (ours, in flight or recorded since) moved the balance: it says so.
    for (const loser of answers.filter((a) => a.status !== 201)) {
      expect(loser.status).toBe(409);
      expect(loser.body.error).toBe("refund_in_progress");
    }
    // Retried with their own keys, the losers are planned again and learn that nothing is left to refund.
    for (const [i, loser] of answers.entries()) {
      if (loser.status === 201) continue;
      const again = await refund(t, merchantUid, { reason: "everything" }, keys[i]);
      expect(again.status).toBe(409);
      expect(again.body.error).toBe("order_not_refundable");
    }
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
    expect(await order(t, merchantUid)).toMatchObject({ status: "refunded", refunded_amount: 12_000 });
  });

  test("tax-free orders send a proportional tax_free that adds up to the whole tax-free part", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t, { amount: 10_000, tax_free: 3_333 });

    const first = await refund(t, merchantUid, { amount: 5_000, reason: "half" });
    const last = await refund(t, merchantUid, { reason: "rest" });

    expect(first.body.refund).toMatchObject({ amount: 5_000, tax_free: 1_666 });
    expect(last.status).toBe(201);
    expect(last.body.refund).toMatchObject({ amount: 5_000, tax_free: 1_667 });
  });
});

describe("iamport's answer is lost: look up before answering, never cancel blind", () => {
  test("cancelled but the response was lost: found in cancel_history, answered 201", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "lost-response", times: 1 });

    const res = await refund(t, merchantUid, { amount: 2_000, reason: "lost answer" });

    expect(res.status).toBe(201);
    expect(res.body.refund.cancellation_id).toBe(
      iamportPayment(t, impUid).cancel_history[0]?.cancellation_id,
    );
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
    expect((await order(t, merchantUid)).refunded_amount).toBe(2_000);
  });

  test("not known at all: 503, and the retry with the same key looks up first, then refunds once", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "lost-response", times: 1 });
    control(t).addFault({ method: "GET", path: "/payments/:imp_uid", kind: "status", status: 503, times: 3 });

    const first = await refund(t, merchantUid, { amount: 2_000, reason: "unknown" }, "refund-unknown-1");
    const retry = await refund(t, merchantUid, { amount: 2_000, reason: "unknown" }, "refund-unknown-1");

    expect(first.status).toBe(503);
    expect(first.headers.get("retry-after")).toBeTruthy();
    expect(retry.status).toBe(201);
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
    expect((await order(t, merchantUid)).refunded_amount).toBe(2_000);
  });

  test("not known and never retried: the order is flagged and the reconciler applies the cancel; a late retry finds it, no second cancel", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "lost-response", times: 1 });
    control(t).addFault({ method: "GET", path: "/payments/:imp_uid", kind: "status", status: 503, times: 3 });

    const first = await refund(t, merchantUid, { amount: 1_500, reason: "gave up" }, "refund-gave-up");
    expect(first.status).toBe(503);
    expect((await order(t, merchantUid)).history.at(-1)).toMatchObject({
      from: "paid",
      to: "paid",
      source: "api",
    });

    await runReconcileHandler(t);

    expect(await order(t, merchantUid)).toMatchObject({
      status: "partially_refunded",
      refunded_amount: 1_500,
    });
    const late = await refund(t, merchantUid, { amount: 1_500, reason: "gave up" }, "refund-gave-up");
    expect(late.status).toBe(201);
    expect(late.body.refund.cancellation_id).toBe(
      iamportPayment(t, impUid).cancel_history[0]?.cancellation_id,
    );
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
  });

  test("iamport down before the cancel ran: 503, and the retry refunds once", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "status", status: 503, times: 1 });

    const first = await refund(t, merchantUid, { amount: 2_500, reason: "down" }, "refund-down-1");
    const retry = await refund(t, merchantUid, { amount: 2_500, reason: "down" }, "refund-down-1");

    expect(first.status).toBe(503);
    expect(retry.status).toBe(201);
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
  });
});

describe("iamport's balance differs from ours (a cancel we have not seen)", () => {
  test("409 balance_mismatch, nothing refunded or written to the order's money; the reconciler applies iamport's record", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).cancelFromConsole(impUid, { amount: 2_000, reason: "콘솔 부분취소" });
    await control(t).flushWebhooks();
    const before = await order(t, merchantUid);

    const res = await refund(t, merchantUid, { reason: "all of it" });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      error: "balance_mismatch",
      refundable_at_iamport: 10_000,
      refundable_believed: 12_000,
    });
    expect(iamportPayment(t, impUid).cancel_amount).toBe(2_000);
    const after = await order(t, merchantUid);
    expect(after).toMatchObject({ status: "paid", refunded_amount: 0, refunds: [] });
    expect(after.history.slice(0, before.history.length)).toEqual(before.history);
    expect(after.history.at(-1)).toMatchObject({ from: "paid", to: "paid", source: "api" });

    const summary = await runReconcileHandler(t);

    expect(summary.failed).toBe(0);
    const reconciled = await order(t, merchantUid);
    expect(reconciled).toMatchObject({
      status: "partially_refunded",
      refunded_amount: 2_000,
      refundable_amount: 10_000,
      refunds: [expect.objectContaining({ amount: 2_000, reason: "콘솔 부분취소" })],
    });
    expect(reconciled.history.at(-1)).toMatchObject({ to: "partially_refunded", source: "reconciler" });
    const retry = await refund(t, merchantUid, { reason: "all of it" });
    expect(retry.status).toBe(201);
    expect(retry.body.order).toMatchObject({ status: "refunded", refunded_amount: 12_000 });
  });

  test("a replay of the refused request gets the same 409", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).cancelFromConsole(impUid, { amount: 500 });
    await control(t).flushWebhooks();

    const first = await refund(t, merchantUid, { reason: "r" }, "refund-mismatch-replay");
    const again = await refund(t, merchantUid, { reason: "r" }, "refund-mismatch-replay");

    expect(first.status).toBe(409);
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(iamportPayment(t, impUid).cancel_amount).toBe(500);
  });
});

describe("console cancels", () => {
  test("a cancelled webhook is verified with iamport and applied, keyed by cancellation_id", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });

    const partial = control(t).cancelFromConsole(impUid, { amount: 3_000, reason: "콘솔 부분취소" });
    await control(t).flushWebhooks();
    const afterPartial = await order(t, merchantUid);
    control(t).cancelFromConsole(impUid, { reason: "콘솔 전액취소" });
    await control(t).flushWebhooks();
    const afterFull = await order(t, merchantUid);

    expect(afterPartial).toMatchObject({
      status: "partially_refunded",
      refunded_amount: 3_000,
      refunds: [{ cancellation_id: partial.cancel_history[0]?.cancellation_id, amount: 3_000 }],
    });
    expect(afterFull).toMatchObject({ status: "refunded", refunded_amount: 12_000 });
    expect(afterFull.refunds).toHaveLength(2);
    expect(afterFull.history.slice(-2).map((e: { source: string }) => e.source)).toEqual([
      "webhook",
      "webhook",
    ]);
    // A cancel's webhook carries its cancellation_id; its status is `cancelled`, or (the
    // partialCancel mode) `paid` for the partial one.
    const cancelled = control(t)
      .webhooks()
      .filter((w) => w.body.merchant_uid === merchantUid && w.body.cancellation_id);
    expect(cancelled.map((w) => [w.status, Boolean(w.body.cancellation_id)])).toEqual([
      [200, true],
      [200, true],
    ]);
  });

  test("a cancel whose webhook never came is picked up when any door re-reads the payment", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).cancelFromConsole(impUid, { amount: 4_000 });
    await control(t).flushWebhooks();
    expect((await order(t, merchantUid)).refunded_amount).toBe(0);

    const res = await t.api("/payments/complete", {
      body: { imp_uid: impUid, merchant_uid: merchantUid },
      key: null,
    });

    expect(res.body.status).toBe("partially_refunded");
    expect((await order(t, merchantUid)).refunded_amount).toBe(4_000);
  });
});
