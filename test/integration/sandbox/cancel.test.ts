import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type PaymentView, type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams, startReceiver } from "./helpers.js";

describe("sandbox POST /payments/cancel and console cancels", () => {
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
  });
  afterAll(async () => {
    await sandbox.close();
    await hook.close();
  });

  const pay = (merchantUid: string, extra: Record<string, unknown> = {}) =>
    sandbox.control.pay({ ...cardParams(merchantUid), ...extra, outcome: "approve" }).imp_uid as string;
  const cancel = (body: Record<string, unknown>) => api.post<PaymentView>("/payments/cancel", body);

  it("cancels in full by default: status cancelled, history with cancellation_id, no webhook", async () => {
    const impUid = pay("o-full");
    const { status, body } = await cancel({ imp_uid: impUid, reason: "고객 요청" });
    expect(status).toBe(200);
    expect(body.code).toBe(0);
    expect(body.response).toMatchObject({
      status: "cancelled",
      amount: 10_000,
      cancel_amount: 10_000,
      cancel_reason: "고객 요청",
    });
    expect(body.response.cancelled_at).toBeGreaterThan(0);
    expect(body.response.cancel_history).toHaveLength(1);
    expect(body.response.cancel_history[0]).toMatchObject({ amount: 10_000, reason: "고객 요청" });
    expect(body.response.cancel_history[0]?.cancellation_id).toMatch(/^cncl_/);
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.status)).toEqual(["paid"]);
  });

  it("partial cancels accumulate and keep status paid until the balance is gone", async () => {
    const impUid = pay("o-part");
    const first = await cancel({ imp_uid: impUid, amount: 3000, checksum: 10_000 });
    expect(first.body.response).toMatchObject({ status: "paid", cancel_amount: 3000, cancelled_at: 0 });
    const second = await cancel({ merchant_uid: "o-part", amount: 7000, checksum: 7000 });
    expect(second.body.response).toMatchObject({
      status: "cancelled",
      cancel_amount: 10_000,
      amount: 10_000,
    });
    const ids = second.body.response.cancel_history.map((h) => h.cancellation_id);
    expect(new Set(ids).size).toBe(2);
  });

  it("refuses a wrong checksum, an over-cancel and a second full cancel with HTTP 200 code 1", async () => {
    const impUid = pay("o-check");
    const wrong = await cancel({ imp_uid: impUid, amount: 1000, checksum: 9000 });
    expect(wrong.status).toBe(200);
    expect(wrong.body).toMatchObject({ code: 1, response: null });
    expect(wrong.body.message).toContain("checksum");
    const over = await cancel({ imp_uid: impUid, amount: 10_001 });
    expect(over.body.code).toBe(1);
    expect(sandbox.control.payment(impUid)?.cancel_amount).toBe(0);
    await cancel({ imp_uid: impUid });
    expect((await cancel({ imp_uid: impUid })).body.code).toBe(1);
  });

  it("accepts form-urlencoded bodies", async () => {
    const impUid = pay("o-form");
    const res = await fetch(`${sandbox.url}/payments/cancel`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${api.token}` },
      body: `imp_uid=${impUid}&amount=2500&checksum=10000`,
    });
    const body = (await res.json()) as { code: number; response: PaymentView };
    expect(body.code).toBe(0);
    expect(body.response.cancel_amount).toBe(2500);
  });

  it("an unknown payment, and an unknown imp_uid even with a valid merchant_uid, is code 1", async () => {
    pay("o-known");
    const unknown = await cancel({ imp_uid: "imp_000000000000" });
    expect(unknown.body).toEqual({ code: 1, message: "취소할 결제건이 존재하지 않습니다.", response: null });
    const impWins = await cancel({ imp_uid: "imp_000000000000", merchant_uid: "o-known" });
    expect(impWins.body.code).toBe(1);
    expect((await cancel({ merchant_uid: "o-none" })).body.message).toBe(
      "취소할 결제건이 존재하지 않습니다.",
    );
  });

  it("neither imp_uid nor merchant_uid (or empty ones): HTTP 200, code 1, the reference's 취소할 결제건이 존재하지 않습니다.", async () => {
    for (const body of [{}, { imp_uid: "", merchant_uid: "" }, { amount: 1000 }]) {
      const res = await cancel(body);
      expect(res.status, JSON.stringify(body)).toBe(200);
      expect(res.body, JSON.stringify(body)).toEqual({
        code: 1,
        message: "취소할 결제건이 존재하지 않습니다.",
        response: null,
      });
    }
  });

  it("vbank refunds need refund_holder, refund_bank and refund_account", async () => {
    const impUid = sandbox.control.pay({ ...cardParams("o-vbr"), pay_method: "vbank", outcome: "approve" })
      .imp_uid as string;
    sandbox.control.depositVbank(impUid);
    const missing = await cancel({ imp_uid: impUid });
    expect(missing.body.code).toBe(1);
    expect(missing.body.message).toContain("refund_account");
    const ok = await cancel({
      imp_uid: impUid,
      refund_holder: "홍길동",
      refund_bank: "088",
      refund_account: "1101234567",
    });
    expect(ok.body.response).toMatchObject({ status: "cancelled" });
  });

  it("an issued but unpaid virtual account can be closed without refund details", async () => {
    const impUid = sandbox.control.pay({ ...cardParams("o-vbc"), pay_method: "vbank", outcome: "approve" })
      .imp_uid as string;
    const res = await cancel({ imp_uid: impUid });
    expect(res.body.response).toMatchObject({ status: "cancelled", cancel_amount: 0 });
  });

  it("tax_free cannot exceed what is left tax-free", async () => {
    const impUid = pay("o-tax", { tax_free: 2000 });
    expect((await cancel({ imp_uid: impUid, amount: 5000, tax_free: 3000 })).body.code).toBe(1);
    expect((await cancel({ imp_uid: impUid, amount: 5000, tax_free: 1500 })).body.code).toBe(0);
    const rest = await cancel({ imp_uid: impUid, amount: 1000, tax_free: 600 });
    expect(rest.body.code).toBe(1);
    expect(rest.body.message).toContain("500");
  });

  it("sends `cancelled` with cancellation_id only when enable_webhook is true", async () => {
    const impUid = pay("o-wh");
    const res = await cancel({ imp_uid: impUid, amount: 1000, enable_webhook: true });
    await sandbox.control.flushWebhooks();
    const id = res.body.response.cancel_history[0]?.cancellation_id;
    expect(hook.received.map((w) => w.body)).toEqual([
      { imp_uid: impUid, merchant_uid: "o-wh", status: "paid" },
      { imp_uid: impUid, merchant_uid: "o-wh", status: "cancelled", cancellation_id: id },
    ]);
  });

  it("a console cancel always sends `cancelled` with its cancellation_id", async () => {
    const impUid = pay("o-console");
    const after = sandbox.control.cancelFromConsole(impUid, { amount: 4000, reason: "콘솔" });
    expect(after).toMatchObject({ cancel_amount: 4000, status: "paid", cancel_reason: "콘솔" });
    await sandbox.control.flushWebhooks();
    const last = hook.received.at(-1)?.body;
    expect(last).toMatchObject({
      status: "cancelled",
      cancellation_id: after.cancel_history[0]?.cancellation_id,
    });
    expect(() => sandbox.control.cancelFromConsole("imp_nope")).toThrow();
  });
});
