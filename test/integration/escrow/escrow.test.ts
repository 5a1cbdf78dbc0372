/**
 * KICC escrow through the real handlers and the sandbox: only with trans or
 * vbank, with the buyer's name, email and phone and `kiccProducts`; the order
 * stores the flag and the products and the merchant API shows them.
 */
import { describe, expect, test } from "vitest";
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

const products = [
  { orderNumber: "line-1", name: "Blue mug", quantity: 2, amount: 8_000 },
  { orderNumber: "line-2", name: "Saucer", quantity: 1, amount: 1 },
];
// The products add up to 16,001, not the order's 12,000: KICC does not compare them, and neither do we.
const escrow = (payMethod: "trans" | "vbank") => ({
  pay_method: payMethod,
  escrow: true,
  kiccProducts: products,
  amount: 12_000,
});

describe("escrow orders", () => {
  test("account transfer: request_pay carries escrow and kiccProducts; paid; shown to the merchant", async () => {
    const t = ctx();
    const created = await t.createOrder(escrow("trans"));

    expect(created.status).toBe(201);
    expect(created.body.request_pay).toMatchObject({
      pay_method: "trans",
      escrow: true,
      kiccProducts: products,
      buyer_name: "홍길동",
      buyer_email: "buyer@example.com",
      buyer_tel: "010-1234-5678",
    });
    const rsp = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();

    const view = await order(t, created.body.merchant_uid);
    expect(view).toMatchObject({
      status: "paid",
      escrow: true,
      kicc_products: products,
      pay_method: "trans",
    });
    expect(iamportPayment(t, rsp.imp_uid as string).escrow).toBe(true);
  });

  test("virtual account: issued, deposited, paid; escrow and products kept throughout", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, escrow("vbank"));
    const issued = await order(t, merchantUid);
    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();

    expect(issued).toMatchObject({ status: "awaiting_deposit", escrow: true, kicc_products: products });
    expect(await order(t, merchantUid)).toMatchObject({
      status: "paid",
      escrow: true,
      kicc_products: products,
    });
    expect(iamportPayment(t, impUid).escrow).toBe(true);
  });

  test("an escrow virtual account is refunded like any other (to the buyer's account)", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, escrow("vbank"));
    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();

    const res = await refund(t, merchantUid, { reason: "배송 전 취소", ...refundAccount });

    expect(res.status).toBe(201);
    expect(res.body.order.status).toBe("refunded");
  });

  test.each([
    ["card", { ...escrow("trans"), pay_method: "card" }, "escrow"],
    ["phone", { ...escrow("trans"), pay_method: "phone", digital: true }, "escrow"],
    ["no products", { ...escrow("trans"), kiccProducts: undefined }, "kiccProducts"],
    ["no buyer email", { ...escrow("vbank"), buyer_email: undefined }, "buyer_email"],
    ["no buyer name", { ...escrow("vbank"), buyer_name: undefined }, "buyer_name"],
    [
      "a product with quantity 0",
      { ...escrow("trans"), kiccProducts: [{ ...products[0], quantity: 0 }] },
      "kiccProducts.0.quantity",
    ],
    ["products without escrow", { pay_method: "trans", kiccProducts: products }, "kiccProducts"],
  ])("escrow with %s → 400 naming the field, nothing written", async (_name, body, field) => {
    const t = ctx();
    const merchantUid = `escrow-bad-${field.replace(/\W/g, "")}-${Math.random().toString(36).slice(2, 8)}`;
    const prepared = control(t).prepared().length;

    const res = await t.createOrder({ ...body, merchant_uid: merchantUid });

    expect(res.status).toBe(400);
    expect(res.body.issues.map((issue: { field: string }) => issue.field)).toContain(field);
    expect((await t.api(`/orders/${merchantUid}`)).status).toBe(404);
    expect(control(t).prepared().length).toBe(prepared);
  });
});
