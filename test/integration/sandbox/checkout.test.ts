import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PaymentView, type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams, startReceiver } from "./helpers.js";

describe("sandbox prepare and the window's checkout (control.pay)", () => {
  let sandbox: Sandbox;
  let api: Api;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    hook = await startReceiver();
    sandbox = await startSandbox({ webhookUrl: hook.url });
    api = new Api(sandbox);
  });
  beforeEach(async () => {
    await sandbox.control.flushWebhooks(); // nothing from the previous test may land in this one
    sandbox.control.reset();
    hook.received.length = 0;
    await api.login();
  });
  afterAll(async () => {
    await sandbox.close();
    await hook.close();
  });

  it("POST/GET/PUT /payments/prepare: register, refuse a duplicate, update, 404 when unknown", async () => {
    const created = await api.post("/payments/prepare", { merchant_uid: "o-prep", amount: 5000 });
    expect(created.body).toEqual({
      code: 0,
      message: null,
      response: { merchant_uid: "o-prep", amount: 5000, currency: null },
    });
    const dup = await api.post("/payments/prepare", { merchant_uid: "o-prep", amount: 5000 });
    expect(dup.status).toBe(200);
    expect(dup.body).toMatchObject({
      code: 1,
      message: "결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).",
      response: null,
    });
    const put = await api.call("PUT", "/payments/prepare", { merchant_uid: "o-prep", amount: 7000 });
    expect(put.body.response).toMatchObject({ amount: 7000 });
    expect((await api.get("/payments/prepare/o-prep")).body.response).toMatchObject({ amount: 7000 });
    expect(sandbox.control.prepared()).toEqual([{ merchant_uid: "o-prep", amount: 7000, currency: null }]);

    const unknownGet = await api.get("/payments/prepare/o-none");
    expect(unknownGet.status).toBe(404);
    expect(unknownGet.body.message).toBe("사전등록된 결제정보가 존재하지 않습니다.");
    const unknownPut = await api.call("PUT", "/payments/prepare", { merchant_uid: "o-none", amount: 1 });
    expect(unknownPut.status).toBe(404);
    expect((await api.post("/payments/prepare", { merchant_uid: "o-x" })).status).toBe(400);
  });

  it("refuses a tampered amount before a payment exists, unless bypassPrepare simulates forgery", async () => {
    await api.post("/payments/prepare", { merchant_uid: "o-forge", amount: 50_000 });
    const refused = sandbox.control.pay({ ...cardParams("o-forge", 100), outcome: "approve" });
    expect(refused).toMatchObject({ imp_uid: null, success: false, merchant_uid: "o-forge" });
    expect(refused.error_msg).toContain("일치하지 않습니다");
    expect(sandbox.control.payments()).toHaveLength(0);

    const forged = sandbox.control.pay({
      ...cardParams("o-forge", 100),
      bypassPrepare: true,
      outcome: "approve",
    });
    expect(forged.success).toBe(true);
    expect(sandbox.control.payment(forged.imp_uid as string)?.amount).toBe(100);
  });

  it("refuses a merchant_uid that is already paid with F1002", async () => {
    sandbox.control.pay({ ...cardParams("o-twice"), outcome: "approve" });
    const again = sandbox.control.pay({ ...cardParams("o-twice"), outcome: "approve" });
    expect(again).toMatchObject({
      imp_uid: null,
      success: false,
      error_code: "F1002",
      error_msg: "이미 결제가 이루어진 거래건입니다.",
    });
  });

  it.each([
    ["a non-KICC pg", { pg: "html5_inicis" }],
    ["an unknown MID", { pg: "kicc.OTHER" }],
    ["a pay_method KICC lacks", { pay_method: "kakaopay" }],
    ["a string amount", { amount: "10000" }],
    ["a zero amount", { amount: 0 }],
    ["a missing buyer_tel", { buyer_tel: undefined }],
    ["a merchant_uid over 40 chars", { merchant_uid: "x".repeat(41) }],
    ["escrow with card", { escrow: true }],
    ["escrow trans without kiccProducts", { escrow: true, pay_method: "trans" }],
    ["phone without digital", { pay_method: "phone" }],
    ["a malformed vbank_due", { pay_method: "vbank", vbank_due: "next week" }],
    ["an unknown direct card code", { card: { direct: { code: "999", quota: 0 } } }],
    ["installments under 50,000 KRW", { card: { direct: { code: "366", quota: 3 } } }],
    ["a bad card.detail", { card: { detail: [{ card_code: "366" }] } }],
    ["customer_uid on the payment MID", { customer_uid: "c-1" }],
    ["mobile without m_redirect_url", { channel: "mobile" as const }],
  ])("refuses %s before a payment exists", (_label, patch) => {
    const result = sandbox.control.pay({ ...cardParams("o-bad"), ...patch, outcome: "approve" });
    expect(result.imp_uid).toBeNull();
    expect(result.success).toBe(false);
    expect(result.error_msg).toBeTruthy();
    expect(sandbox.control.payments()).toHaveLength(0);
  });

  it("accepts escrow trans with kiccProducts and the buyer fields", async () => {
    const kiccProducts = [{ orderNumber: "p1", name: "책", quantity: 1, amount: 10_000 }];
    const ok = sandbox.control.pay({
      ...cardParams("o-esc"),
      pay_method: "trans",
      escrow: true,
      kiccProducts,
      outcome: "approve",
    });
    expect(ok.success).toBe(true);
    const p = (await api.get<PaymentView>(`/payments/${ok.imp_uid}`)).body.response;
    expect(p).toMatchObject({ escrow: true, pay_method: "trans", bank_code: "088", status: "paid" });
  });

  it("a closed window or a decline leaves a failed payment and sends no webhook", async () => {
    const closed = sandbox.control.pay({ ...cardParams("o-close"), outcome: "close" });
    expect(closed).toMatchObject({ success: false, status: "failed", error_code: "F400" });
    const declined = sandbox.control.pay({
      ...cardParams("o-dec"),
      outcome: { decline: "insufficient_balance" },
    });
    expect(declined).toMatchObject({ success: false, status: "failed" });
    const p = sandbox.control.payment(declined.imp_uid as string);
    expect(p).toMatchObject({ status: "failed", fail_reason: "[8326] 잔액부족", paid_at: 0 });
    expect(p?.failed_at).toBeGreaterThan(0);
    await sandbox.control.flushWebhooks();
    expect(hook.received).toHaveLength(0);
  });

  it("an approved payment sends `paid` to notice_url instead of the console URL", async () => {
    const other = await startReceiver();
    try {
      const paid = sandbox.control.pay({
        ...cardParams("o-notice"),
        notice_url: other.url,
        outcome: "approve",
      });
      await sandbox.control.flushWebhooks();
      expect(other.received.map((w) => w.body)).toEqual([
        { imp_uid: paid.imp_uid, merchant_uid: "o-notice", status: "paid" },
      ]);
      expect(hook.received).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("vbank: issues an account (ready + webhook), the deposit pays it (webhook paid)", async () => {
    const issued = sandbox.control.pay({
      ...cardParams("o-vb"),
      pay_method: "vbank",
      vbank_due: "2099-01-01",
      outcome: "approve",
    });
    expect(issued).toMatchObject({ success: true, status: "ready" });
    expect(issued.vbank_num).toBeTruthy();
    const p = (await api.get<PaymentView>(`/payments/${issued.imp_uid}`)).body.response;
    expect(p).toMatchObject({ status: "ready", pay_method: "vbank", vbank_code: "088", paid_at: 0 });
    // 2099-01-01 23:59:59 KST
    expect(p.vbank_date).toBe(Date.UTC(2099, 0, 1, 14, 59, 59) / 1000);
    expect(p.vbank_issued_at).toBeGreaterThan(0);

    const deposited = sandbox.control.depositVbank(issued.imp_uid as string);
    expect(deposited).toMatchObject({ status: "paid" });
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.status)).toEqual(["ready", "paid"]);
  });

  it("vbank: a deposit after vbank_date on the sandbox clock is refused", () => {
    const issued = sandbox.control.pay({ ...cardParams("o-vb2"), pay_method: "vbank", outcome: "approve" });
    const due = sandbox.control.payment(issued.imp_uid as string)?.vbank_date as number;
    sandbox.control.setClock(due + 1);
    expect(() => sandbox.control.depositVbank(issued.imp_uid as string)).toThrow(/expired/);
    expect(sandbox.control.payment(issued.imp_uid as string)?.status).toBe("ready");
  });

  it("customer_uid: issues a billing key without charging", async () => {
    const issued = sandbox.control.pay({
      ...cardParams("o-key", 0),
      pg: "kicc.T5102002",
      customer_uid: "cust-1",
      card: { code: "381", number: "9410-1234-5678-9012" },
      outcome: "approve",
    });
    expect(issued.success).toBe(true);
    const key = await api.get(`/subscribe/customers/cust-1`);
    expect(key.body.response).toMatchObject({
      customer_uid: "cust-1",
      pg_provider: "kicc",
      pg_id: "T5102002",
      card_code: "381",
      card_name: "KB국민카드",
      card_number: "941012******9012",
      sandbox: false,
      customer_tel: "010-1234-5678",
    });
    const p = sandbox.control.payment(issued.imp_uid as string);
    expect(p).toMatchObject({
      customer_uid: "cust-1",
      customer_uid_usage: "issue",
      status: "ready",
      paid_at: 0,
    });
    const { pg: _pg, ...noPg } = cardParams("o-key-ch", 0);
    const byChannel = sandbox.control.pay({
      ...noPg,
      channelKey: "billing-channel",
      customer_uid: "c-2",
      outcome: "approve",
    });
    expect(byChannel.success).toBe(true);
    expect(sandbox.control.payment(byChannel.imp_uid as string)?.pg_id).toBe("T5102002");
    await sandbox.control.flushWebhooks();
    expect(hook.received).toHaveLength(0);
  });
});
