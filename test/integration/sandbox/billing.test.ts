import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PaymentView, type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams, startReceiver } from "./helpers.js";

describe("sandbox billing keys and /subscribe/payments/again", () => {
  let sandbox: Sandbox;
  let api: Api;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    hook = await startReceiver();
    sandbox = await startSandbox({ webhookUrl: hook.url });
    api = new Api(sandbox);
  });
  beforeEach(async () => {
    await sandbox.control.flushWebhooks();
    sandbox.control.reset();
    hook.received.length = 0;
    await api.login();
    sandbox.control.pay({
      ...cardParams("o-issue", 0),
      pg: "kicc.T5102002",
      customer_uid: "cust-1",
      card: { code: "365", number: "4000-1111-2222-3333" },
      outcome: "approve",
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await hook.close();
  });

  const again = (body: Record<string, unknown>) =>
    api.post<PaymentView>("/subscribe/payments/again", {
      customer_uid: "cust-1",
      merchant_uid: "sub-1-2026-01",
      amount: 9900,
      name: "월 구독",
      ...body,
    });

  it("GET and DELETE /subscribe/customers/{customer_uid}; 404 when unknown", async () => {
    const got = await api.get("/subscribe/customers/cust-1");
    expect(got.body.response).toMatchObject({ customer_uid: "cust-1", card_code: "365", sandbox: false });
    expect(sandbox.control.billingKeys()).toHaveLength(1);
    const deleted = await api.call("DELETE", "/subscribe/customers/cust-1?reason=해지");
    expect(deleted.body.response).toMatchObject({ customer_uid: "cust-1" });
    expect((await api.get("/subscribe/customers/cust-1")).status).toBe(404);
    expect((await api.call("DELETE", "/subscribe/customers/cust-1")).status).toBe(404);
  });

  it("charges a key: paid, channel api, customer_uid_usage payment, webhook paid", async () => {
    const res = await again({ custom_data: '{"cycle":1}' });
    expect(res.body.code).toBe(0);
    expect(res.body.response).toMatchObject({
      status: "paid",
      amount: 9900,
      channel: "api",
      customer_uid: "cust-1",
      customer_uid_usage: "payment",
      pg_id: "T5102002",
      card_code: "365",
      custom_data: '{"cycle":1}',
      buyer_tel: "010-1234-5678",
    });
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body)).toEqual([
      { imp_uid: res.body.response.imp_uid, merchant_uid: "sub-1-2026-01", status: "paid" },
    ]);
  });

  it("a decline is code 0 with status failed and fail_reason, and sends no webhook", async () => {
    sandbox.control.addDecline({ customer_uid: "cust-1", reason: "limit_exceeded" });
    const res = await again({});
    expect(res.body.code).toBe(0);
    expect(res.body.response).toMatchObject({
      status: "failed",
      fail_reason: "[8324] 카드 한도초과",
      paid_at: 0,
    });
    await sandbox.control.flushWebhooks();
    expect(hook.received).toHaveLength(0);
    // The failed attempt does not block a retry of the same merchant_uid.
    sandbox.control.clearDeclines();
    expect((await again({})).body.response.status).toBe("paid");
  });

  it("declines by card number or card code too", async () => {
    sandbox.control.addDecline({ card_number: "4000111122223333", reason: "lost_card" });
    expect((await again({})).body.response.fail_reason).toContain("분실");
    sandbox.control.clearDeclines();
    sandbox.control.addDecline({ card_code: "365", reason: "잔액이 모자랍니다" });
    expect((await again({ merchant_uid: "sub-x" })).body.response.fail_reason).toBe("잔액이 모자랍니다");
  });

  it("an unknown customer_uid is code 1 등록되지 않은 구매자입니다.", async () => {
    const res = await again({ customer_uid: "nobody" });
    expect(res.body).toEqual({ code: 1, message: "등록되지 않은 구매자입니다.", response: null });
  });

  it("refuses a merchant_uid that is already paid with a non-zero code", async () => {
    await again({});
    const second = await again({});
    expect(second.body.code).not.toBe(0);
    expect(second.body.response).toBeNull();
    expect(sandbox.control.payments().filter((p) => p.merchant_uid === "sub-1-2026-01")).toHaveLength(1);
  });

  it("checks the customer before the name: an unknown customer without a name is 등록되지 않은 구매자입니다.", async () => {
    const res = await again({ customer_uid: "nobody", name: undefined });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 1, message: "등록되지 않은 구매자입니다.", response: null });
  });

  it("refuses what the payment window refuses: installments under 50,000 KRW, tax_free above the amount, a currency other than KRW", async () => {
    const quota = await again({ merchant_uid: "sub-q", card_quota: 3, amount: 49_999 });
    const quotaOne = await again({ merchant_uid: "sub-q1", card_quota: 1, amount: 60_000 });
    const taxFree = await again({ merchant_uid: "sub-t", tax_free: 10_000 });
    const usd = await again({ merchant_uid: "sub-c", currency: "USD" });
    const installments = await again({
      merchant_uid: "sub-ok",
      card_quota: 3,
      amount: 50_000,
      currency: "KRW",
    });

    for (const [label, res] of Object.entries({ quota, quotaOne, taxFree, usd })) {
      expect(res.body.code, label).toBe(1);
      expect(res.body.response, label).toBeNull();
    }
    expect(quota.body.message).toContain("50,000");
    expect(installments.body.response).toMatchObject({ status: "paid", card_quota: 3, amount: 50_000 });
    expect(sandbox.control.payments().filter((p) => p.customer_uid_usage === "payment")).toHaveLength(1);
  });

  it("requires customer_uid, merchant_uid, amount and name", async () => {
    for (const field of ["customer_uid", "merchant_uid", "amount", "name"]) {
      const res = await again({ [field]: undefined });
      expect(res.status, field).toBe(400);
      expect(res.body.code, field).not.toBe(0);
    }
  });

  it("a test-channel key marks its charges sandbox: true", async () => {
    sandbox.control.pay({
      ...cardParams("o-issue-t", 0),
      pg: "kicc.T5102002",
      customer_uid: "cust-t",
      testChannel: true,
      outcome: "approve",
    });
    const res = await again({ customer_uid: "cust-t", merchant_uid: "sub-t" });
    expect(res.body.response.sandbox).toBe(true);
  });
});
