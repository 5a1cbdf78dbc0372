/**
 * Virtual accounts end to end: issue (`ready`) → awaiting_deposit with the
 * account in the merchant API and the public status → deposit webhook
 * (`paid`) verified with iamport → paid; refunds to the buyer's account.
 */
import { describe, expect, test } from "vitest";
import { parseVbankDue } from "../../../lib/kicc/vbank-due.js";
import { useStack } from "../../support/stack.js";
import {
  checkout,
  control,
  iamportPayment,
  order,
  refund,
  refundAccount,
} from "../orders/refunds/support.js";

const ctx = useStack();

describe("issue → deposit → paid", () => {
  test("the account is stored and shown; the deposit webhook completes the order after verification", async () => {
    const t = ctx();
    const created = await t.createOrder({ pay_method: "vbank", amount: 33_000 });
    const requestedDue = parseVbankDue(created.body.request_pay.vbank_due);
    const hoursAhead = ((requestedDue?.getTime() ?? 0) - Date.now()) / 3600_000;
    const rsp = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();
    const merchantUid = created.body.merchant_uid as string;
    const impUid = rsp.imp_uid as string;
    const atIamport = iamportPayment(t, impUid);

    const issued = await order(t, merchantUid);
    const publicView = await t.api(`/orders/${merchantUid}/status`, { key: null });

    expect(hoursAhead).toBeGreaterThan(71.9); // VBANK_DUE_HOURS default: 72
    expect(hoursAhead).toBeLessThanOrEqual(72);
    expect(issued).toMatchObject({
      status: "awaiting_deposit",
      imp_uid: impUid,
      vbank: {
        bank_name: atIamport.vbank_name,
        bank_code: atIamport.vbank_code,
        number: atIamport.vbank_num,
        holder: atIamport.vbank_holder,
        due_at: new Date(atIamport.vbank_date * 1000).toISOString(),
      },
      refundable_amount: 0,
    });
    expect(publicView.body).toEqual({
      merchant_uid: merchantUid,
      status: "awaiting_deposit",
      amount: 33_000,
      vbank: {
        bank_name: atIamport.vbank_name,
        number: atIamport.vbank_num,
        holder: atIamport.vbank_holder,
        due_at: new Date(atIamport.vbank_date * 1000).toISOString(),
      },
    });

    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();

    const paid = await order(t, merchantUid);
    expect(paid).toMatchObject({ status: "paid", refundable_amount: 33_000 });
    expect(paid.history.map((e: { to: string; source: string }) => `${e.to}/${e.source}`)).toEqual([
      "pending/api",
      "awaiting_deposit/webhook",
      "paid/webhook",
    ]);
    expect((await t.api(`/orders/${merchantUid}/status`, { key: null })).body).toEqual({
      merchant_uid: merchantUid,
      status: "paid",
      amount: 33_000,
    });
  });

  test("a merchant's vbank_due reaches iamport and comes back as the deadline", async () => {
    const t = ctx();
    const due = new Date(Date.now() + 5 * 24 * 3600_000);
    const kst = new Date(due.getTime() + 9 * 3600_000).toISOString();
    const vbankDue = `${kst.slice(0, 10)} 18:00:00`;

    const { merchantUid } = await checkout(t, { pay_method: "vbank", vbank_due: vbankDue });

    expect((await order(t, merchantUid)).vbank.due_at).toBe(parseVbankDue(vbankDue)?.toISOString());
  });

  test("a duplicate deposit webhook changes nothing", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, { pay_method: "vbank" });
    control(t).setWebhookFault({ kind: "duplicate", times: 1 });

    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();

    const paid = await order(t, merchantUid);
    expect(paid.status).toBe("paid");
    expect(paid.history.filter((e: { to: string }) => e.to === "paid")).toHaveLength(1);
  });

  test("a paid virtual account is refunded to the buyer's account (partially, then the rest)", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, { pay_method: "vbank", amount: 20_000 });
    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();

    const partial = await refund(t, merchantUid, { amount: 5_000, reason: "부분 환불", ...refundAccount });
    const rest = await refund(t, merchantUid, {
      reason: "나머지 환불",
      ...refundAccount,
      refund_bank: "신한은행",
    });

    expect(partial.status).toBe(201);
    expect(partial.body.order).toMatchObject({ status: "partially_refunded", refundable_amount: 15_000 });
    expect(rest.status).toBe(201);
    expect(rest.body.order).toMatchObject({ status: "refunded", refunded_amount: 20_000 });
    expect(iamportPayment(t, impUid).cancel_amount).toBe(20_000);
  });

  test("an issued but unpaid account is not refundable", async () => {
    const t = ctx();
    const { merchantUid } = await checkout(t, { pay_method: "vbank" });

    const res = await refund(t, merchantUid, { reason: "r", ...refundAccount });

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "order_not_refundable", status: "awaiting_deposit" });
  });
});
