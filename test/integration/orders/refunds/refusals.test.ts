/**
 * Every refund refusal is a 4xx that names the field or the reason, and
 * writes nothing: no cancel at iamport, no change to the order, and the
 * Idempotency-Key stays free for a corrected request.
 */
import { describe, expect, test } from "vitest";
import { type TestStack, useStack } from "../../../support/stack.js";
import { checkout, control, iamportPayment, order, paidOrder, refund, refundAccount } from "./support.js";

const ctx = useStack();

/** The order and iamport's record, to compare before and after a refusal. */
async function snapshot(t: TestStack, merchantUid: string, impUid?: string) {
  const view = await order(t, merchantUid);
  return {
    status: view.status,
    refunded: view.refunded_amount,
    history: view.history.length,
    cancels: impUid ? iamportPayment(t, impUid).cancel_history.length : 0,
  };
}

const fieldsOf = (body: { issues?: Array<{ field: string }> }) => (body.issues ?? []).map((i) => i.field);

describe("refusals on a paid card order", () => {
  test.each([
    ["more than the refundable balance", ["amount"], { amount: 12_001, reason: "r" }],
    ["no reason", ["reason"], { amount: 1_000 }],
    ["a blank reason", ["reason"], { reason: "  " }],
    ["a string amount", ["amount"], { amount: "1000", reason: "r" }],
    ["a zero amount", ["amount"], { amount: 0, reason: "r" }],
    [
      "tax_free on an order without a tax-free part",
      ["tax_free"],
      { amount: 1_000, tax_free: 10, reason: "r" },
    ],
    [
      "a refund account on a card order",
      ["refund_holder", "refund_bank", "refund_account"],
      { reason: "r", ...refundAccount },
    ],
    ["an unknown field", ["body"], { reason: "r", refund_amount: 5 }],
  ])("%s → 400 naming %j; nothing written, the key still free", async (_name, fields, body) => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    const before = await snapshot(t, merchantUid, impUid);
    const key = `refusal-${Math.random().toString(36).slice(2)}`;

    const res = await refund(t, merchantUid, body, key);

    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect(fieldsOf(res.body)).toEqual(fields);
    expect(await snapshot(t, merchantUid, impUid)).toEqual(before);
    expect((await refund(t, merchantUid, { amount: 1_000, reason: "fixed" }, key)).status).toBe(201);
  });

  test("no Idempotency-Key → 400 naming the header", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    const before = await snapshot(t, merchantUid, impUid);

    const res = await refund(t, merchantUid, { reason: "r" }, null);

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["header.idempotency-key"]);
    expect(await snapshot(t, merchantUid, impUid)).toEqual(before);
  });

  test("malformed JSON → 400", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);

    const res = await refund(t, merchantUid, "{not json");

    expect(res.status).toBe(400);
    expect(fieldsOf(res.body)).toEqual(["body"]);
  });

  test("without the API key → 401, nothing refunded", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);

    const res = await t.api(`/orders/${merchantUid}/refunds`, {
      body: { reason: "r" },
      headers: { "idempotency-key": "no-key" },
      key: null,
    });

    expect(res.status).toBe(401);
    expect(iamportPayment(t, impUid).cancel_amount).toBe(0);
  });

  test("an unknown order → 404", async () => {
    const res = await refund(ctx(), "no-such-order-for-refund", { reason: "r" });

    expect(res.status).toBe(404);
  });
});

describe("refusals that depend on the order", () => {
  test("an order that is not paid → 409 order_not_refundable", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const before = await snapshot(t, merchantUid);

    const res = await refund(t, merchantUid, { reason: "r" });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "order_not_refundable", status: "pending" });
    expect(await snapshot(t, merchantUid)).toEqual(before);
  });

  test("an order already refunded in full → 409 order_not_refundable", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    expect((await refund(t, merchantUid, { reason: "all" })).status).toBe(201);

    const res = await refund(t, merchantUid, { amount: 1, reason: "more" });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "order_not_refundable", status: "refunded" });
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
  });

  test("a virtual-account order without the refund account → 400 naming each field", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, { pay_method: "vbank" });
    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();
    const before = await snapshot(t, merchantUid, impUid);
    expect(before.status).toBe("paid");

    const missing = await refund(t, merchantUid, { reason: "r" });
    const badBank = await refund(t, merchantUid, { reason: "r", ...refundAccount, refund_bank: "999" });
    const badAccount = await refund(t, merchantUid, {
      reason: "r",
      ...refundAccount,
      refund_account: "12-ab",
    });

    expect(missing.status).toBe(400);
    expect(fieldsOf(missing.body)).toEqual(["refund_holder", "refund_bank", "refund_account"]);
    expect(fieldsOf(badBank.body)).toEqual(["refund_bank"]);
    expect(fieldsOf(badAccount.body)).toEqual(["refund_account"]);
    expect(await snapshot(t, merchantUid, impUid)).toEqual(before);
  });

  test("a phone payment in an earlier calendar month (KST) → 409 phone_refund_month_passed", async () => {
    const t = ctx();
    const realNow = control(t).now();
    control(t).setClock(realNow - 40 * 24 * 3600);
    let ids: { merchantUid: string; impUid: string };
    try {
      ids = await checkout(t, { pay_method: "phone", digital: true });
    } finally {
      control(t).setClock(realNow);
    }
    const before = await snapshot(t, ids.merchantUid, ids.impUid);
    expect(before.status).toBe("paid");

    const res = await refund(t, ids.merchantUid, { reason: "r" });

    expect(res.status).toBe(409);
    expect(res.body.error).toBe("phone_refund_month_passed");
    expect(await snapshot(t, ids.merchantUid, ids.impUid)).toEqual(before);
  });

  test("a phone payment refunded in the month it was paid goes through", async () => {
    const t = ctx();
    const { merchantUid } = await checkout(t, { pay_method: "phone", digital: true });

    const res = await refund(t, merchantUid, { reason: "same month" });

    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe("refunded");
  });
});
