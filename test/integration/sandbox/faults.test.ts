import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Sandbox, startSandbox } from "../../../sandbox/index.js";
import { Api, cardParams, startReceiver } from "./helpers.js";

describe("sandbox route faults", () => {
  let sandbox: Sandbox;
  let api: Api;
  beforeAll(async () => {
    sandbox = await startSandbox();
    api = new Api(sandbox);
  });
  beforeEach(async () => {
    sandbox.control.reset();
    await api.login();
    sandbox.control.pay({
      ...cardParams("o-key", 0),
      pg: "kicc.T5102002",
      customer_uid: "c1",
      outcome: "approve",
    });
  });
  afterAll(() => sandbox.close());

  const rawGet = (path: string, timeoutMs = 2000) =>
    fetch(`${sandbox.url}${path}`, {
      headers: { authorization: `Bearer ${api.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  const againBody = { customer_uid: "c1", merchant_uid: "sub-lost", amount: 1000, name: "구독" };

  it("latency delays the answer", async () => {
    sandbox.control.addFault({ path: "/payments/:imp_uid", kind: "latency", ms: 300, times: 1 });
    const started = Date.now();
    expect((await rawGet("/payments/imp_x")).status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
  });

  it("status answers an iamport-shaped error envelope, for `times` requests only", async () => {
    sandbox.control.addFault({
      method: "GET",
      path: "/payments/:imp_uid",
      kind: "status",
      status: 503,
      times: 1,
    });
    const faulted = await rawGet("/payments/imp_x");
    expect(faulted.status).toBe(503);
    expect(await faulted.json()).toMatchObject({ code: -1, response: null });
    expect((await rawGet("/payments/imp_x")).status).toBe(404);
  });

  it("a method filter leaves other methods alone", async () => {
    sandbox.control.addFault({ method: "POST", path: "/payments/prepare", kind: "status", status: 500 });
    expect((await api.get("/payments/prepare/o-1")).status).toBe(404);
    expect((await api.post("/payments/prepare", { merchant_uid: "o-1", amount: 1 })).status).toBe(500);
    sandbox.control.clearFaults();
    expect((await api.post("/payments/prepare", { merchant_uid: "o-1", amount: 1 })).status).toBe(200);
  });

  it("drop destroys the connection without an answer", async () => {
    sandbox.control.addFault({ path: "/payments/find/:merchant_uid", kind: "drop", times: 1 });
    await expect(rawGet("/payments/find/o-1")).rejects.toThrow();
  });

  it("timeout never answers", async () => {
    sandbox.control.addFault({ path: "/payments/:imp_uid", kind: "timeout", times: 1 });
    await expect(rawGet("/payments/imp_x", 300)).rejects.toThrow(/timeout|abort/i);
  });

  it("lost-response on again charges the card but the client never hears", async () => {
    sandbox.control.addFault({
      method: "POST",
      path: "/subscribe/payments/again",
      kind: "lost-response",
      times: 1,
    });
    await expect(api.post("/subscribe/payments/again", againBody)).rejects.toThrow();
    const charged = sandbox.control.payments().filter((p) => p.merchant_uid === "sub-lost");
    expect(charged.map((p) => p.status)).toEqual(["paid"]);
    // The caller's lookup finds it, and a blind retry is refused.
    expect((await api.get("/payments/find/sub-lost/paid")).body.response).toMatchObject({ status: "paid" });
    expect((await api.post("/subscribe/payments/again", againBody)).body.code).not.toBe(0);
  });

  it("refused-after-success on again charges the card but answers a non-zero code", async () => {
    sandbox.control.addFault({
      method: "POST",
      path: "/subscribe/payments/again",
      kind: "refused-after-success",
      times: 1,
    });
    const answer = await api.post("/subscribe/payments/again", { ...againBody, merchant_uid: "sub-hidden" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ code: 1, response: null });
    const charged = sandbox.control.payments().filter((p) => p.merchant_uid === "sub-hidden");
    expect(charged.map((p) => p.status)).toEqual(["paid"]);
  });

  it("lost-response on cancel cancels but the client never hears", async () => {
    const paid = sandbox.control.pay({ ...cardParams("o-c"), outcome: "approve" });
    sandbox.control.addFault({ path: "/payments/cancel", kind: "lost-response", times: 1 });
    await expect(api.post("/payments/cancel", { imp_uid: paid.imp_uid })).rejects.toThrow();
    expect(sandbox.control.payment(paid.imp_uid as string)?.status).toBe("cancelled");
  });

  it("refuses malformed rules", () => {
    expect(() => sandbox.control.addFault({ path: "payments", kind: "latency" })).toThrow();
    // @ts-expect-error: an unknown kind on purpose
    expect(() => sandbox.control.addFault({ path: "/payments", kind: "explode" })).toThrow();
  });
});

describe("sandbox window declines", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it("a decline rule by card makes an approved window card payment fail", () => {
    sandbox.control.addDecline({ card_code: "381", reason: "expired_card" });
    const declined = sandbox.control.pay({
      ...cardParams("o-d1"),
      card: { code: "381" },
      outcome: "approve",
    });
    expect(declined).toMatchObject({
      success: false,
      status: "failed",
      error_msg: "[8316] 유효기간 경과 카드",
    });
    const other = sandbox.control.pay({ ...cardParams("o-d2"), card: { code: "366" }, outcome: "approve" });
    expect(other.success).toBe(true);
    expect(() => sandbox.control.addDecline({ reason: "limit_exceeded" })).toThrow();
  });
});

describe("sandbox webhook faults and delivery", () => {
  let sandbox: Sandbox;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let answer = 200;
  beforeAll(async () => {
    hook = await startReceiver(() => answer);
    sandbox = await startSandbox({ webhookUrl: hook.url, webhookRetries: 2, webhookRetryIntervalMs: 50 });
  });
  beforeEach(async () => {
    await sandbox.control.flushWebhooks();
    sandbox.control.reset();
    hook.received.length = 0;
    answer = 200;
  });
  afterAll(async () => {
    await sandbox.close();
    await hook.close();
  });

  const pay = (merchantUid: string) =>
    sandbox.control.pay({ ...cardParams(merchantUid), outcome: "approve" });

  it("records each delivery with url, body, format, status and time", async () => {
    const paid = pay("o-rec");
    await sandbox.control.flushWebhooks();
    const [delivery] = sandbox.control.webhooks();
    expect(delivery).toMatchObject({
      url: hook.url,
      body: { imp_uid: paid.imp_uid, merchant_uid: "o-rec", status: "paid" },
      format: "json",
      status: 200,
      attempt: 1,
    });
    expect(delivery?.attempted_at).toBe(sandbox.control.now());
    expect(hook.received[0]?.contentType).toContain("application/json");
  });

  it("duplicate sends the same event twice", async () => {
    sandbox.control.setWebhookFault({ kind: "duplicate", times: 1 });
    pay("o-dup");
    pay("o-once");
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.merchant_uid)).toEqual(["o-dup", "o-dup", "o-once"]);
  });

  it("drop records the event but sends nothing", async () => {
    sandbox.control.setWebhookFault({ kind: "drop", times: 1 });
    pay("o-drop");
    await sandbox.control.flushWebhooks();
    expect(hook.received).toHaveLength(0);
    expect(sandbox.control.webhooks()[0]).toMatchObject({ fault: "drop", error: "dropped by sandbox fault" });
  });

  it("delay holds the event; flushWebhooks waits for it", async () => {
    sandbox.control.setWebhookFault({ kind: "delay", ms: 200, times: 1 });
    const started = Date.now();
    pay("o-late");
    pay("o-early");
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.merchant_uid)).toEqual(["o-early", "o-late"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it("reorder sends an event after the next one", async () => {
    sandbox.control.setWebhookFault({ kind: "reorder", times: 1 });
    pay("o-first");
    pay("o-second");
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.merchant_uid)).toEqual(["o-second", "o-first"]);
  });

  it("a held reorder with no later event still goes out on flush", async () => {
    sandbox.control.setWebhookFault({ kind: "reorder", times: 1 });
    pay("o-alone");
    await sandbox.control.flushWebhooks();
    expect(hook.received.map((w) => w.body.merchant_uid)).toEqual(["o-alone"]);
  });

  it("retries on 5xx up to webhookRetries, then stops", async () => {
    answer = 500;
    pay("o-retry");
    await sandbox.control.flushWebhooks();
    expect(sandbox.control.webhooks().map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
    ]);
  });

  it("clearWebhookFaults restores normal delivery", async () => {
    sandbox.control.setWebhookFault({ kind: "drop" });
    sandbox.control.clearWebhookFaults();
    pay("o-normal");
    await sandbox.control.flushWebhooks();
    expect(hook.received).toHaveLength(1);
  });
});

describe("sandbox form webhooks and unreachable receivers", () => {
  it("posts form-urlencoded when webhookFormat is form", async () => {
    const hook = await startReceiver();
    const sandbox = await startSandbox({ webhookUrl: hook.url, webhookFormat: "form" });
    try {
      const paid = sandbox.control.pay({ ...cardParams("o-form"), outcome: "approve" });
      await sandbox.control.flushWebhooks();
      expect(hook.received[0]?.contentType).toContain("application/x-www-form-urlencoded");
      expect(hook.received[0]?.raw).toBe(`imp_uid=${paid.imp_uid}&merchant_uid=o-form&status=paid`);
    } finally {
      await sandbox.close();
      await hook.close();
    }
  });

  it("records a network error for an unreachable URL", async () => {
    const sandbox = await startSandbox({ webhookUrl: "http://127.0.0.1:9/webhook" });
    try {
      sandbox.control.pay({ ...cardParams("o-unreach"), outcome: "approve" });
      await sandbox.control.flushWebhooks();
      expect(sandbox.control.webhooks()[0]?.error).toBeTruthy();
    } finally {
      await sandbox.close();
    }
  });
});
