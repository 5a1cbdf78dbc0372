/**
 * Behaviour modes: each undocumented point behaves each plausible way (README, "Behaviour
 * modes"), set by option, by `control.setModes` or over HTTP at `/__sandbox/modes`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  defaultModes,
  formatModes,
  nonDefaultModes,
  type PaymentView,
  parseModes,
  type Sandbox,
  startSandbox,
} from "../../../sandbox/index.js";
import { Api, cardParams, startReceiver } from "./helpers.js";

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
  sandbox.control.resetModes();
  hook.received.length = 0;
  await api.login();
});
afterAll(async () => {
  await sandbox?.close();
  await hook?.close();
});

let seq = 0;
const next = (prefix: string) => `${prefix}-${++seq}`;

function issueKey(customerUid = next("cust")): string {
  sandbox.control.pay({
    ...cardParams(next("issue"), 0),
    pg: "kicc.T5102002",
    customer_uid: customerUid,
    outcome: "approve",
  });
  return customerUid;
}

const again = (body: Record<string, unknown>) =>
  api.post<PaymentView>("/subscribe/payments/again", {
    merchant_uid: next("sub"),
    amount: 9900,
    name: "월 구독",
    ...body,
  });

async function paidCard(amount = 10_000): Promise<string> {
  const rsp = sandbox.control.pay({ ...cardParams(next("ord"), amount), outcome: "approve" });
  await sandbox.control.flushWebhooks();
  hook.received.length = 0;
  return rsp.imp_uid as string;
}

describe("setting modes", () => {
  it("starts at the defaults; the control API changes the named modes only and refuses unknown ones", () => {
    expect(sandbox.control.modes()).toEqual(defaultModes());
    expect(defaultModes()).toEqual({
      partialCancel: "stays-paid",
      againDecline: "status-failed",
      unknownCustomer: "code-1",
      againAmount: "refused",
      failedMerchantUid: "accepted",
      sandboxLookup: "hidden",
    });

    const changed = sandbox.control.setModes({ partialCancel: "cancelled" });

    expect(changed).toMatchObject({ partialCancel: "cancelled", againDecline: "status-failed" });
    expect(() => sandbox.control.setModes({ partialCancel: "refunded" } as never)).toThrow(
      /stays-paid, stays-paid-webhook-paid, cancelled/,
    );
    expect(() => sandbox.control.setModes({ nope: "x" } as never)).toThrow(/unknown sandbox mode "nope"/);
    expect(sandbox.control.modes().partialCancel).toBe("cancelled");
  });

  it("over HTTP: GET lists the modes and their choices, POST changes, DELETE restores the defaults", async () => {
    const base = `${sandbox.url}/__sandbox/modes`;
    const listed = await (await fetch(base)).json();
    const posted = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ againDecline: "refused" }),
    });
    const postedBody = await posted.json();
    const bad = await fetch(base, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ againDecline: "maybe" }),
    });
    const afterPost = sandbox.control.modes().againDecline;
    const deleted = await (await fetch(base, { method: "DELETE" })).json();

    expect(listed.modes).toEqual(defaultModes());
    expect(listed.choices.againDecline).toEqual(["status-failed", "refused", "refused-with-record"]);
    expect(postedBody.modes.againDecline).toBe("refused");
    expect(afterPost).toBe("refused");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/againDecline must be one of/);
    expect(deleted.modes).toEqual(defaultModes());
  });

  it("as an option and as a `name=value,…` string (SANDBOX_MODES, a command-line flag)", async () => {
    const other = await startSandbox({ modes: parseModes("sandboxLookup=returned, againAmount=charged") });
    try {
      expect(other.control.modes()).toMatchObject({ sandboxLookup: "returned", againAmount: "charged" });
      const info = await (await fetch(`${other.url}/__sandbox/info`)).json();
      expect(info.modes.sandboxLookup).toBe("returned");
    } finally {
      await other.close();
    }
    expect(parseModes("")).toEqual({});
    expect(parseModes("default")).toEqual({});
    expect(() => parseModes("partialCancel")).toThrow(/name=value/);
    expect(() => parseModes("partialCancel=nope")).toThrow(/must be one of/);
    expect(formatModes({ partialCancel: "cancelled", againDecline: "status-failed" })).toBe(
      "partialCancel=cancelled",
    );
    expect(formatModes(defaultModes())).toBe("default");
    const variants = nonDefaultModes().map((v) => v.label);
    expect(variants).toContain("againDecline=refused-with-record");
    expect(variants).not.toContain("againDecline=status-failed");
    for (const { label, modes } of nonDefaultModes()) expect(formatModes(modes)).toBe(label);
  });

  it("survive reset() (they are configuration, like the MIDs)", () => {
    sandbox.control.setModes({ failedMerchantUid: "refused" });
    sandbox.control.reset();
    expect(sandbox.control.modes().failedMerchantUid).toBe("refused");
  });
});

describe("partialCancel", () => {
  const cancel = (impUid: string, amount?: number) =>
    api.post<PaymentView>("/payments/cancel", {
      imp_uid: impUid,
      ...(amount ? { amount } : {}),
      enable_webhook: true,
    });

  it("stays-paid (default): a partial cancel keeps status paid, its webhook says cancelled", async () => {
    const impUid = await paidCard();
    const partial = await cancel(impUid, 3_000);
    await sandbox.control.flushWebhooks();

    expect(partial.body.response).toMatchObject({ status: "paid", cancel_amount: 3_000, cancelled_at: 0 });
    expect(hook.received.map((w) => w.body.status)).toEqual(["cancelled"]);
    expect(hook.received[0]?.body.cancellation_id).toBe(
      partial.body.response.cancel_history[0]?.cancellation_id,
    );
  });

  it("stays-paid-webhook-paid: status paid, and the partial cancel's webhook says paid; the full cancel's says cancelled", async () => {
    sandbox.control.setModes({ partialCancel: "stays-paid-webhook-paid" });
    const impUid = await paidCard();
    const partial = await cancel(impUid, 3_000);
    const full = await cancel(impUid);
    await sandbox.control.flushWebhooks();

    expect(partial.body.response.status).toBe("paid");
    expect(full.body.response).toMatchObject({ status: "cancelled", cancel_amount: 10_000 });
    expect(hook.received.map((w) => w.body.status)).toEqual(["paid", "cancelled"]);
    expect(hook.received.every((w) => w.body.cancellation_id)).toBe(true);
  });

  it("cancelled: a partial cancel makes it cancelled with money still held; more can be cancelled, by imp_uid or merchant_uid, never more than the balance", async () => {
    sandbox.control.setModes({ partialCancel: "cancelled" });
    const impUid = await paidCard();
    const merchantUid = sandbox.control.payment(impUid)?.merchant_uid as string;
    const partial = await cancel(impUid, 3_000);
    const byMerchant = await api.post<PaymentView>("/payments/cancel", {
      merchant_uid: merchantUid,
      amount: 2_000,
    });
    const over = await cancel(impUid, 6_000);
    const rest = await api.post<PaymentView>("/payments/cancel", { imp_uid: impUid, checksum: 5_000 });
    const after = await cancel(impUid, 1_000);
    await sandbox.control.flushWebhooks();
    const listed = await api.get<{ list: PaymentView[] }>("/payments/status/cancelled");
    const paidAgain = sandbox.control.pay({ ...cardParams(merchantUid), outcome: "approve" });

    expect(partial.body.response).toMatchObject({ status: "cancelled", cancel_amount: 3_000 });
    expect(partial.body.response.cancelled_at).toBeGreaterThan(0);
    expect(byMerchant.body.response).toMatchObject({ status: "cancelled", cancel_amount: 5_000 });
    expect(over.body).toMatchObject({ code: 1 });
    expect(rest.body.response).toMatchObject({ status: "cancelled", cancel_amount: 10_000 });
    expect(rest.body.response.cancel_history).toHaveLength(3);
    expect(after.body).toMatchObject({ code: 1, message: "이미 전액취소된 주문입니다." });
    expect(hook.received.map((w) => w.body.status)).toEqual(["cancelled"]);
    expect(listed.body.response.list.map((p) => p.imp_uid)).toContain(impUid);
    expect(paidAgain).toMatchObject({ success: false, error_code: "F1002" });
  });
});

describe("againDecline", () => {
  it("status-failed (default): code 0 and a failed payment with the PG's reason", async () => {
    const customerUid = issueKey();
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "limit_exceeded" });
    const res = await again({ customer_uid: customerUid });

    expect(res.body).toMatchObject({
      code: 0,
      response: { status: "failed", fail_reason: "[8324] 카드 한도초과" },
    });
  });

  it("refused: code 1 with the PG's reason and no payment under the merchant_uid", async () => {
    sandbox.control.setModes({ againDecline: "refused" });
    const customerUid = issueKey();
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "limit_exceeded" });
    const merchantUid = next("sub");
    const res = await again({ customer_uid: customerUid, merchant_uid: merchantUid });
    const found = await api.get(`/payments/find/${merchantUid}`);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: 1, response: null });
    expect(res.body.message).toContain("[8324] 카드 한도초과");
    expect(found.status).toBe(404);
  });

  it("refused-with-record: code 1 with the PG's reason, and a failed payment on record after all", async () => {
    sandbox.control.setModes({ againDecline: "refused-with-record" });
    const customerUid = issueKey();
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "lost_card" });
    const merchantUid = next("sub");
    const res = await again({ customer_uid: customerUid, merchant_uid: merchantUid });
    const found = await api.get<PaymentView>(`/payments/find/${merchantUid}`);

    expect(res.body).toMatchObject({ code: 1, response: null });
    expect(res.body.message).toContain("[8310] 분실신고 카드");
    expect(found.body.response).toMatchObject({ status: "failed", fail_reason: "[8310] 분실신고 카드" });
  });

  it("a decline rule's own answer wins over the mode, per card or customer", async () => {
    sandbox.control.setModes({ againDecline: "status-failed" });
    const refusedKey = issueKey();
    const failedKey = issueKey();
    sandbox.control.addDecline({
      customer_uid: refusedKey,
      reason: "insufficient_balance",
      answer: "refused",
    });
    sandbox.control.addDecline({ customer_uid: failedKey, reason: "insufficient_balance" });

    const refused = await again({ customer_uid: refusedKey });
    const failed = await again({ customer_uid: failedKey });

    expect(refused.body).toMatchObject({ code: 1, response: null });
    expect(failed.body).toMatchObject({ code: 0, response: { status: "failed" } });
    expect(() =>
      sandbox.control.addDecline({ customer_uid: refusedKey, reason: "x", answer: "maybe" as never }),
    ).toThrow(/answer must be one of/);
  });

  it("PortOne's scheduler records a failed payment whatever the mode (its failures are webhooked)", async () => {
    sandbox.control.setModes({ againDecline: "refused" });
    const customerUid = issueKey();
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "limit_exceeded" });
    const merchantUid = next("sched");
    const at = sandbox.control.now() + 60;
    await api.post("/subscribe/payments/schedule", {
      customer_uid: customerUid,
      schedules: [{ merchant_uid: merchantUid, schedule_at: at, amount: 9900, name: "월 구독" }],
    });
    sandbox.control.advanceClock(61);

    expect(sandbox.control.schedules()[0]).toMatchObject({ payment_status: "failed" });
  });
});

describe("unknownCustomer", () => {
  it("code-1 (default): HTTP 200, code 1, 등록되지 않은 구매자입니다.", async () => {
    const res = await again({ customer_uid: "nobody" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 1, message: "등록되지 않은 구매자입니다.", response: null });
  });

  it("code-1-newer-message: HTTP 200, code 1, 등록된 고객정보가 없습니다.", async () => {
    sandbox.control.setModes({ unknownCustomer: "code-1-newer-message" });
    const res = await again({ customer_uid: "nobody" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: 1, message: "등록된 고객정보가 없습니다.", response: null });
  });

  it("http-404: HTTP 404, code -1", async () => {
    sandbox.control.setModes({ unknownCustomer: "http-404" });
    const res = await again({ customer_uid: "nobody" });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: -1, response: null });
  });
});

describe("againAmount", () => {
  const form = async (fields: Record<string, string>) => {
    const res = await fetch(`${sandbox.url}/subscribe/payments/again`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${api.token}` },
      body: new URLSearchParams(fields).toString(),
    });
    return (await res.json()) as { code: number; response: PaymentView | null };
  };

  it("refused (default): a non-integer or a JSON string is refused; a form body's digits are a number", async () => {
    const customerUid = issueKey();
    const fraction = await again({ customer_uid: customerUid, amount: 9900.5 });
    const text = await again({ customer_uid: customerUid, amount: "9900" });
    const viaForm = await form({
      customer_uid: customerUid,
      merchant_uid: next("sub"),
      amount: "9900",
      name: "월",
    });

    expect(fraction.body).toMatchObject({ code: 1, response: null });
    expect(text.status).toBe(400);
    expect(viaForm).toMatchObject({ code: 0, response: { status: "paid", amount: 9900 } });
    expect(sandbox.control.payments().filter((p) => p.customer_uid_usage === "payment")).toHaveLength(1);
  });

  it("charged: charged as given", async () => {
    sandbox.control.setModes({ againAmount: "charged" });
    const customerUid = issueKey();
    const fraction = await again({ customer_uid: customerUid, amount: 9900.5 });
    const text = await again({ customer_uid: customerUid, amount: "9900" });

    expect(fraction.body.response).toMatchObject({ status: "paid", amount: 9900.5 });
    expect(text.body.response).toMatchObject({ status: "paid", amount: 9900 });
  });
});

describe("failedMerchantUid", () => {
  it("accepted (default): a merchant_uid whose attempt was declined is charged on the next try", async () => {
    const customerUid = issueKey();
    const merchantUid = next("sub");
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "limit_exceeded" });
    await again({ customer_uid: customerUid, merchant_uid: merchantUid });
    sandbox.control.removeDeclines(customerUid);
    const retry = await again({ customer_uid: customerUid, merchant_uid: merchantUid });

    expect(retry.body).toMatchObject({ code: 0, response: { status: "paid" } });
  });

  it("refused: the retry is refused as a duplicate and nothing is charged", async () => {
    sandbox.control.setModes({ failedMerchantUid: "refused" });
    const customerUid = issueKey();
    const merchantUid = next("sub");
    sandbox.control.addDecline({ customer_uid: customerUid, reason: "limit_exceeded" });
    await again({ customer_uid: customerUid, merchant_uid: merchantUid });
    sandbox.control.removeDeclines(customerUid);
    const retry = await again({ customer_uid: customerUid, merchant_uid: merchantUid });

    expect(retry.body).toMatchObject({ code: 1, response: null });
    expect(
      sandbox.control
        .payments()
        .filter((p) => p.merchant_uid === merchantUid)
        .map((p) => p.status),
    ).toEqual(["failed"]);
  });
});

describe("sandboxLookup", () => {
  const testChannelPayment = () =>
    sandbox.control.pay({ ...cardParams(next("ord")), outcome: "approve", testChannel: true })
      .imp_uid as string;

  it("hidden (default): 404 without include_sandbox=true", async () => {
    const impUid = testChannelPayment();
    expect((await api.get(`/payments/${impUid}`)).status).toBe(404);
    expect((await api.get(`/payments/${impUid}?include_sandbox=true`)).body.response).toMatchObject({
      sandbox: true,
    });
  });

  it("returned: the payment, marked sandbox: true", async () => {
    sandbox.control.setModes({ sandboxLookup: "returned" });
    const impUid = testChannelPayment();
    expect((await api.get<PaymentView>(`/payments/${impUid}`)).body.response).toMatchObject({
      sandbox: true,
    });
  });
});
