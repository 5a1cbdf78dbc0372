import { describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";

const ctx = useStack();

describe("POST /orders", () => {
  test("returns the KICC request_pay params and pre-registers the amount at iamport", async () => {
    const { createOrder, stack } = ctx();

    const res = await createOrder({ merchant_uid: "order-create-1", amount: 15_000 });

    expect(res.status).toBe(201);
    expect(res.body.request_pay).toMatchObject({
      pg: "kicc",
      pay_method: "card",
      merchant_uid: "order-create-1",
      amount: 15_000,
      buyer_tel: "010-1234-5678",
      m_redirect_url: `${stack.apiUrl}/payments/complete/mobile`,
      notice_url: `${stack.apiUrl}/webhooks/iamport`,
    });
    expect(stack.sandbox?.control.prepared()).toContainEqual(
      expect.objectContaining({ merchant_uid: "order-create-1", amount: 15_000 }),
    );
  });

  test("a retry of the same request returns the same order", async () => {
    const { createOrder } = ctx();
    const body = { merchant_uid: "order-retry-1", amount: 9_000 };

    const first = await createOrder(body);
    const second = await createOrder(body);

    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.request_pay).toEqual(first.body.request_pay);
  });

  test("an Idempotency-Key names the order when no merchant_uid is given", async () => {
    const { createOrder } = ctx();
    const body = { merchant_uid: undefined };

    const first = await createOrder(body, { "idempotency-key": "checkout-42" });
    const second = await createOrder(body, { "idempotency-key": "checkout-42" });
    const other = await createOrder(body, { "idempotency-key": "checkout-43" });

    expect(first.body.merchant_uid).toMatch(/^ord_[A-Za-z0-9_-]{26}$/);
    expect(second.body.merchant_uid).toBe(first.body.merchant_uid);
    expect(other.body.merchant_uid).not.toBe(first.body.merchant_uid);
  });

  test("the same merchant_uid with a different order is a 409 and changes nothing", async () => {
    const { createOrder, api } = ctx();
    await createOrder({ merchant_uid: "order-conflict-1", amount: 10_000 });

    const res = await createOrder({ merchant_uid: "order-conflict-1", amount: 1_000 });

    expect(res.status).toBe(409);
    expect(res.body.error).toBe("merchant_uid_taken");
    expect((await api("/orders/order-conflict-1")).body.amount).toBe(10_000);
  });

  test.each([
    [{ amount: "1000" }, "amount"],
    [{ amount: 0 }, "amount"],
    [{ buyer_tel: undefined }, "buyer_tel"],
    [{ pay_method: "kakaopay" }, "pay_method"],
    [{ escrow: true }, "escrow"],
    [{ merchant_uid: "x".repeat(41) }, "merchant_uid"],
    [{ result_url: "https://evil.example/steal" }, "result_url"],
    [{ pay_method: "vbank", vbank_due: "2001-01-01" }, "vbank_due"],
    [{ card: { direct: { code: "366", quota: 3 } }, amount: 10_000 }, "card.direct.quota"],
  ])("bad input %j is a 400 naming %s, and nothing is written", async (overrides, field) => {
    const { createOrder, api, stack } = ctx();
    const merchantUid = `order-bad-${field.replace(/\W/g, "")}`;
    const before = stack.sandbox?.control.prepared().length;

    const res = await createOrder({ merchant_uid: merchantUid, ...overrides });

    expect(res.status).toBe(400);
    expect(res.body.error).toBe("invalid_request");
    expect(res.body.issues.map((issue: { field: string }) => issue.field)).toContain(field);
    expect((await api(`/orders/${merchantUid}`)).status).toBe(404);
    expect(stack.sandbox?.control.prepared().length).toBe(before);
  });

  test("malformed JSON is a 400", async () => {
    const res = await ctx().api("/orders", { body: "{not json" });

    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ field: "body", reason: "is not valid JSON" }]);
  });

  test("without a valid API key the merchant API answers 401", async () => {
    const { api } = ctx();

    expect((await api("/orders", { body: {}, key: null })).status).toBe(401);
    expect((await api("/orders/anything", { key: "wrong-key" })).status).toBe(401);
  });

  test("iamport down during pre-registration: 503 with nothing stored, and the same request later succeeds", async () => {
    const { createOrder, api, stack } = ctx();
    const control = stack.sandbox?.control;
    control?.addFault({ method: "POST", path: "/payments/prepare", kind: "status", status: 503, times: 2 });
    control?.addFault({ path: "/payments/prepare/:merchant_uid", kind: "status", status: 503, times: 3 });

    const first = await createOrder({ merchant_uid: "order-prepare-down", amount: 7_000 });
    expect(first.status).toBe(503);
    // The amount is registered before the order is written: no order a window could open unregistered.
    expect((await api("/orders/order-prepare-down")).status).toBe(404);
    const retry = await createOrder({ merchant_uid: "order-prepare-down", amount: 7_000 });
    expect(retry.status).toBe(201);
    const again = await createOrder({ merchant_uid: "order-prepare-down", amount: 7_000 });
    expect(again.status).toBe(200);
    expect(again.body.request_pay).toEqual(retry.body.request_pay);
    expect(stack.sandbox?.control.prepared()).toContainEqual(
      expect.objectContaining({ merchant_uid: "order-prepare-down", amount: 7_000 }),
    );
  });
});

describe("GET /orders/{merchant_uid} and /status", () => {
  test("the merchant sees the order with its history; the public status has no personal data", async () => {
    const { createOrder, api } = ctx();
    await createOrder({ merchant_uid: "order-view-1" });

    const full = await api("/orders/order-view-1");
    const status = await api("/orders/order-view-1/status", { key: null });

    expect(full.status).toBe(200);
    expect(full.body.buyer.tel).toBe("010-1234-5678");
    expect(full.body.history).toEqual([
      expect.objectContaining({ from: null, to: "pending", source: "api" }),
    ]);
    expect(status.status).toBe(200);
    expect(status.body).toEqual({ merchant_uid: "order-view-1", status: "pending", amount: 12_000 });
  });

  test("unknown orders are 404 and malformed ids 400", async () => {
    const { api } = ctx();

    expect((await api("/orders/nope-404/status")).status).toBe(404);
    expect((await api(`/orders/${"y".repeat(41)}`)).status).toBe(400);
  });
});
