/**
 * The three completion doors (PC callback, mobile redirect, webhook) against
 * the real handlers, DynamoDB Local and the iamport sandbox over HTTP.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { createDocumentClient } from "../../../lib/store/dynamo-client.js";
import { type TestStack, uid, useStack } from "../../support/stack.js";

const ctx = useStack();

/** Creates an order and pays it in the sandbox as the window would; returns ids. */
async function paidOrder(
  t: TestStack,
  overrides: Record<string, unknown> = {},
  pay: Record<string, unknown> = {},
) {
  const created = await t.createOrder(overrides);
  expect(created.status).toBe(201);
  const control = t.stack.sandbox!.control;
  const rsp = control.pay({ ...created.body.request_pay, outcome: "approve", ...pay });
  return { merchantUid: created.body.merchant_uid as string, impUid: rsp.imp_uid as string, rsp };
}

const callback = (t: TestStack, impUid: string, merchantUid: string) =>
  t.api("/payments/complete", { body: { imp_uid: impUid, merchant_uid: merchantUid }, key: null });
const redirect = (t: TestStack, impUid: string, merchantUid: string) =>
  t.api(`/payments/complete/mobile?imp_uid=${impUid}&merchant_uid=${merchantUid}`, { key: null });
const webhook = (t: TestStack, body: Record<string, unknown>, form = false) =>
  t.api("/webhooks/iamport", {
    key: null,
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : body,
    headers: form ? { "content-type": "application/x-www-form-urlencoded" } : {},
  });

async function history(t: TestStack, merchantUid: string) {
  const res = await t.api(`/orders/${merchantUid}`);
  return { order: res.body, transitions: res.body.history.map((e: { to: string }) => e.to) };
}

describe("paid through each door", () => {
  test("PC callback: verified with iamport, the order is paid", async () => {
    const t = ctx();
    t.stack.sandbox!.control.setWebhookFault({ kind: "drop" });
    const { merchantUid, impUid } = await paidOrder(t);

    const res = await callback(t, impUid, merchantUid);

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ merchant_uid: merchantUid, status: "paid" });
    const { order, transitions } = await history(t, merchantUid);
    expect(transitions).toEqual(["pending", "paid"]);
    expect(order.imp_uid).toBe(impUid);
    t.stack.sandbox!.control.clearWebhookFaults();
  });

  test("mobile redirect: verified, then 302 to the result page with the verified status", async () => {
    const t = ctx();
    t.stack.sandbox!.control.setWebhookFault({ kind: "drop" });
    const { merchantUid, impUid } = await paidOrder(t);

    const res = await redirect(t, impUid, merchantUid);

    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(location.origin).toBe(t.stack.apiUrl);
    expect(location.searchParams.get("status")).toBe("paid");
    expect(location.searchParams.get("merchant_uid")).toBe(merchantUid);
    expect((await history(t, merchantUid)).transitions).toEqual(["pending", "paid"]);
    t.stack.sandbox!.control.clearWebhookFaults();
  });

  test("webhook alone (notice_url from the order): the order is paid", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);

    await t.stack.sandbox!.control.flushWebhooks();

    const delivered = t.stack.sandbox!.control.webhooks().filter((w) => w.body.merchant_uid === merchantUid);
    expect(delivered.map((w) => w.status)).toEqual([200]);
    expect((await history(t, merchantUid)).transitions).toEqual(["pending", "paid"]);
  });

  test("webhook with a form-urlencoded body works the same", async () => {
    const t = ctx();
    t.stack.sandbox!.control.setWebhookFault({ kind: "drop" });
    const { merchantUid, impUid } = await paidOrder(t);

    const res = await webhook(t, { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" }, true);

    expect(res.status).toBe(200);
    expect((await history(t, merchantUid)).order.status).toBe("paid");
    t.stack.sandbox!.control.clearWebhookFaults();
  });

  test("mobile redirect keeps the order's own result page when its origin is allowed", async () => {
    const t = ctx();
    const resultUrl = `${t.stack.apiUrl}/shop/thanks.html?from=app`;
    const { merchantUid, impUid } = await paidOrder(t, { result_url: resultUrl });

    const res = await redirect(t, impUid, merchantUid);

    const location = new URL(res.headers.get("location") ?? "");
    expect(location.pathname).toBe("/shop/thanks.html");
    expect(location.searchParams.get("from")).toBe("app");
  });
});

describe("duplicates and any order converge (invariant 4)", () => {
  test("five of each door at once: paid, with exactly one paid transition", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    const hint = { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" };

    const results = await Promise.all(
      Array.from({ length: 5 }, () => [
        callback(t, impUid, merchantUid),
        redirect(t, impUid, merchantUid),
        webhook(t, hint),
      ]).flat(),
    );
    await t.stack.sandbox!.control.flushWebhooks();

    expect(results.map((r) => r.status).sort()).toEqual(
      [...Array(5).fill(200), ...Array(5).fill(200), ...Array(5).fill(302)].sort(),
    );
    expect((await history(t, merchantUid)).transitions).toEqual(["pending", "paid"]);
  });

  test("a replay after completion is a no-op", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    await callback(t, impUid, merchantUid);
    const before = await history(t, merchantUid);

    await webhook(t, { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" });
    await redirect(t, impUid, merchantUid);

    const after = await history(t, merchantUid);
    expect(after.transitions).toEqual(before.transitions);
    expect(after.order.updated_at).toBe(before.order.updated_at);
  });

  test("a stale 'failed' attempt arriving after the paid one changes nothing", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const control = t.stack.sandbox!.control;
    const failed = control.pay({ ...created.body.request_pay, outcome: { decline: "insufficient_balance" } });
    const paid = control.pay({ ...created.body.request_pay, outcome: "approve" });
    await callback(t, paid.imp_uid!, created.body.merchant_uid);

    const res = await callback(t, failed.imp_uid!, created.body.merchant_uid);

    expect(res.body.status).toBe("paid");
    expect((await history(t, created.body.merchant_uid)).transitions).toEqual(["pending", "paid"]);
  });
});

describe("forged amount (invariant 2)", () => {
  test("a payment for another amount is refunded in full and the order ends forged", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    control.setWebhookFault({ kind: "drop" });
    const created = await t.createOrder({ amount: 50_000 });
    const rsp = control.pay({
      ...created.body.request_pay,
      amount: 100,
      bypassPrepare: true,
      outcome: "approve",
    });

    const res = await callback(t, rsp.imp_uid!, created.body.merchant_uid);
    const again = await callback(t, rsp.imp_uid!, created.body.merchant_uid);

    expect(res.body.status).toBe("forged");
    expect(again.body.status).toBe("forged");
    const payment = control.payment(rsp.imp_uid!)!;
    expect(payment.cancel_amount).toBe(100);
    expect(payment.cancel_history).toHaveLength(1);
    const { order, transitions } = await history(t, created.body.merchant_uid);
    expect(transitions).toEqual(["pending", "forged", "forged"]);
    expect(order.forgery).toMatchObject({
      paid_amount: 100,
      expected_amount: 50_000,
      refund: "done",
      refunded_amount: 100,
    });
    // What went back to the buyer, as the order's own figure too (it said 0).
    expect(order).toMatchObject({ refunded_amount: 100, refundable_amount: 0 });
    control.clearWebhookFaults();
  });

  test("the refund's response is lost: the retry finds it done and does not cancel twice", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    control.setWebhookFault({ kind: "drop" });
    const created = await t.createOrder({ amount: 30_000 });
    const rsp = control.pay({
      ...created.body.request_pay,
      amount: 300,
      bypassPrepare: true,
      outcome: "approve",
    });
    control.addFault({ method: "POST", path: "/payments/cancel", kind: "lost-response", times: 1 });

    const first = await webhook(t, {
      imp_uid: rsp.imp_uid,
      merchant_uid: created.body.merchant_uid,
      status: "paid",
    });
    const retry = await webhook(t, {
      imp_uid: rsp.imp_uid,
      merchant_uid: created.body.merchant_uid,
      status: "paid",
    });

    expect([200, 503]).toContain(first.status);
    expect(retry.status).toBe(200);
    expect(control.payment(rsp.imp_uid!)!.cancel_history).toHaveLength(1);
    expect((await history(t, created.body.merchant_uid)).order.forgery.refund).toBe("done");
    control.clearWebhookFaults();
  });
});

describe("hints are never facts (invariant 1)", () => {
  test("a spoofed webhook saying paid for an unknown imp_uid changes nothing", async () => {
    const t = ctx();
    const created = await t.createOrder();

    const res = await webhook(t, {
      imp_uid: "imp_000000000000",
      merchant_uid: created.body.merchant_uid,
      status: "paid",
    });

    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("no_payment");
    expect((await history(t, created.body.merchant_uid)).transitions).toEqual(["pending"]);
  });

  test("another order's real payment cannot pay this order", async () => {
    const t = ctx();
    const victim = await t.createOrder({ amount: 900_000 });
    const cheap = await paidOrder(t, { amount: 1_000 });

    const hook = await webhook(t, {
      imp_uid: cheap.impUid,
      merchant_uid: victim.body.merchant_uid,
      status: "paid",
    });
    const cb = await callback(t, cheap.impUid, victim.body.merchant_uid);

    expect(hook.body.outcome).toBe("rejected");
    expect(cb.status).toBe(400);
    expect((await history(t, victim.body.merchant_uid)).transitions).toEqual(["pending"]);
  });

  test("a closed window, then a second attempt that pays: the order ends paid", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const control = t.stack.sandbox!.control;
    const closed = control.pay({ ...created.body.request_pay, outcome: "close" });
    const first = await redirect(t, closed.imp_uid ?? "", created.body.merchant_uid);
    const paid = control.pay({ ...created.body.request_pay, outcome: "approve" });

    const second = await redirect(t, paid.imp_uid ?? "", created.body.merchant_uid);

    expect(new URL(first.headers.get("location")!).searchParams.get("status")).toBe("failed");
    expect(new URL(second.headers.get("location")!).searchParams.get("status")).toBe("paid");
    expect((await history(t, created.body.merchant_uid)).transitions).toEqual(["pending", "failed", "paid"]);
  });

  test("a declined payment marks the order failed with iamport's reason", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const rsp = t.stack.sandbox!.control.pay({
      ...created.body.request_pay,
      outcome: { decline: "limit_exceeded" },
    });

    const res = await callback(t, rsp.imp_uid!, created.body.merchant_uid);

    expect(res.body.status).toBe("failed");
    const { order } = await history(t, created.body.merchant_uid);
    expect(order.fail_reason).toBeTruthy();
    expect(order.fail_reason).toBe(t.stack.sandbox!.control.payment(rsp.imp_uid!)!.fail_reason);
  });
});

describe("iamport failing during verification", () => {
  test("5xx: the webhook answers 503 so iamport retries; nothing is written; the retry succeeds", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    control.setWebhookFault({ kind: "drop" });
    const { merchantUid, impUid } = await paidOrder(t);
    control.addFault({ method: "GET", path: "/payments/:imp_uid", kind: "status", status: 500 });

    const failed = await webhook(t, { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" });
    const cb = await callback(t, impUid, merchantUid);
    const mobile = await redirect(t, impUid, merchantUid);
    const during = await history(t, merchantUid);
    control.clearFaults();
    const retried = await webhook(t, { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" });

    expect(failed.status).toBe(503);
    expect(failed.headers.get("retry-after")).toBe("5");
    expect(cb.status).toBe(503);
    expect(mobile.status).toBe(302);
    expect(new URL(mobile.headers.get("location")!).searchParams.get("status")).toBe("pending");
    expect(during.transitions).toEqual(["pending"]);
    expect(retried.status).toBe(200);
    expect((await history(t, merchantUid)).transitions).toEqual(["pending", "paid"]);
    control.clearWebhookFaults();
  });

  test("timeouts: 503 within the client's bounded retries, then success", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    control.setWebhookFault({ kind: "drop" });
    const { merchantUid, impUid } = await paidOrder(t);
    control.addFault({ method: "GET", path: "/payments/:imp_uid", kind: "timeout", times: 3 });

    const started = Date.now();
    const failed = await webhook(t, { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" });
    const elapsed = Date.now() - started;
    const retried = await webhook(t, { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" });

    expect(failed.status).toBe(503);
    expect(elapsed).toBeLessThan(5_000);
    expect(retried.status).toBe(200);
    expect((await history(t, merchantUid)).transitions).toEqual(["pending", "paid"]);
    control.clearWebhookFaults();
  });
});

describe("bad input on the public routes: 4xx, nothing written", () => {
  test.each([
    ["/payments/complete", { merchant_uid: "m-1" }, "imp_uid"],
    ["/payments/complete", { imp_uid: "imp_1", merchant_uid: "x".repeat(41) }, "merchant_uid"],
    ["/webhooks/iamport", { imp_uid: "imp_1" }, "merchant_uid"],
    ["/webhooks/iamport", { imp_uid: 5, merchant_uid: "m-1" }, "imp_uid"],
  ])("POST %s with %j → 400 naming %s", async (path, body, field) => {
    const res = await ctx().api(path, { body, key: null });

    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { field: string }) => i.field)).toContain(field);
  });

  test("mobile completion without merchant_uid → 400", async () => {
    const res = await ctx().api("/payments/complete/mobile?imp_uid=imp_1", { key: null });

    expect(res.status).toBe(400);
    expect(res.body.issues[0].field).toBe("query.merchant_uid");
  });

  test("a webhook for an order we never created is acknowledged and changes nothing", async () => {
    const merchantUid = uid("ghost");
    const res = await webhook(ctx(), { imp_uid: "imp_123", merchant_uid: merchantUid, status: "paid" });

    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("unknown_order");
    expect((await ctx().api(`/orders/${merchantUid}`)).status).toBe(404);
  });

  test("PC callback for an unknown order → 404", async () => {
    const res = await callback(ctx(), "imp_1", uid("ghost"));

    expect(res.status).toBe(404);
  });

  test("a door for an unknown order writes nothing (not even the notification)", async () => {
    const t = ctx();
    const merchantUid = uid("ghost");

    expect((await callback(t, "imp_1", merchantUid)).status).toBe(404);
    expect((await webhook(t, { imp_uid: "imp_1", merchant_uid: merchantUid, status: "paid" })).status).toBe(
      200,
    );
    expect((await redirect(t, "imp_1", merchantUid)).status).toBe(302);

    expect(await orderItems(t, merchantUid)).toEqual([]);
  });

  test("a door naming a real order with a guessed imp_uid is refused and writes nothing (found by the fuzzer)", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const notes = async () =>
      (await orderItems(t, merchantUid)).filter((item) => String(item.SK).startsWith("NOTE#"));

    const guessed = await callback(t, "imp_999999999999", merchantUid);
    const hooked = await webhook(t, {
      imp_uid: "imp_999999999999",
      merchant_uid: merchantUid,
      status: "paid",
    });

    expect(guessed.status).toBe(400);
    expect(guessed.body.issues).toEqual([expect.objectContaining({ field: "imp_uid" })]);
    expect(hooked.status).toBe(200);
    expect(await notes()).toEqual([]);
  });
});

/** Every item stored under an order's partition (a Query; fine in a test). */
async function orderItems(t: ReturnType<typeof ctx>, merchantUid: string) {
  const config = parseConfig(t.stack.env);
  const db = createDocumentClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  const { Items } = await db.send(
    new QueryCommand({
      TableName: config.TABLE_NAME,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": `ORDER#${merchantUid}` },
    }),
  );
  return Items ?? [];
}

describe("the mobile redirect passes on only what the server verified", () => {
  const attackerText = "Your card was blocked. Call 02-000-0000 to get your refund";

  test("no payment at iamport: status and reason code, and the window's error_msg is dropped", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;

    const res = await t.api(
      `/payments/complete/mobile?merchant_uid=${merchantUid}&error_code=F400&error_msg=${encodeURIComponent(attackerText)}`,
      { key: null },
    );

    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    expect(Object.fromEntries(location.searchParams)).toEqual({
      merchant_uid: merchantUid,
      status: "pending",
      reason: "no_payment",
    });
  });

  test("a failed payment: the message is iamport's own fail_reason, never the window's text", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const rsp = t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "close" });
    const record = t.stack.sandbox!.control.payments().find((p) => p.imp_uid === rsp.imp_uid);
    expect(record?.fail_reason).toBeTruthy();

    const res = await t.api(
      `/payments/complete/mobile?imp_uid=${rsp.imp_uid}&merchant_uid=${merchantUid}&error_msg=${encodeURIComponent(attackerText)}`,
      { key: null },
    );

    const location = new URL(res.headers.get("location") ?? "");
    expect(location.searchParams.get("status")).toBe("failed");
    expect(location.searchParams.get("reason")).toBe("verified");
    expect(location.searchParams.get("message")).toBe(record?.fail_reason);
    expect(location.toString()).not.toContain("02-000-0000");
  });

  test("iamport unreachable: the buyer is still sent back, with verification_pending and no message", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const rsp = t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "approve" });
    t.stack.sandbox!.control.addFault({ path: "/payments/:imp_uid", kind: "status", status: 503 });
    try {
      const res = await t.api(
        `/payments/complete/mobile?imp_uid=${rsp.imp_uid}&merchant_uid=${merchantUid}&error_msg=${encodeURIComponent(attackerText)}`,
        { key: null },
      );

      const location = new URL(res.headers.get("location") ?? "");
      expect(location.searchParams.get("reason")).toBe("verification_pending");
      expect(location.searchParams.has("message")).toBe(false);
    } finally {
      t.stack.sandbox!.control.clearFaults();
    }
  });
  test("imp_success in the redirect (older SDKs send it; the sandbox does) is ignored: iamport's record decides", async () => {
    const t = ctx();
    const closed = await t.createOrder();
    const closedRsp = t.stack.sandbox!.control.pay({ ...closed.body.request_pay, outcome: "close" });
    const paid = await paidOrder(t);

    const claimsSuccess = await t.api(
      `/payments/complete/mobile?imp_uid=${closedRsp.imp_uid}&merchant_uid=${closed.body.merchant_uid}&imp_success=true`,
      { key: null },
    );
    const claimsFailure = await t.api(
      `/payments/complete/mobile?imp_uid=${paid.impUid}&merchant_uid=${paid.merchantUid}&imp_success=false&error_code=F400`,
      { key: null },
    );

    expect(new URL(claimsSuccess.headers.get("location") ?? "").searchParams.get("status")).toBe("failed");
    expect(new URL(claimsFailure.headers.get("location") ?? "").searchParams.get("status")).toBe("paid");
    expect((await history(t, closed.body.merchant_uid as string)).order.status).toBe("failed");
    expect((await history(t, paid.merchantUid)).order.status).toBe("paid");
  });
});
