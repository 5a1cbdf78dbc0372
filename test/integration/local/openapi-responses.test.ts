/**
 * The contract holds: real responses of every route, through the local stack
 * (the real handlers, DynamoDB Local, the sandbox over HTTP), each a status the
 * document lists for that operation with a body that fits its schema (no
 * undocumented field, every documented required one, formats checked). Each
 * route is checked answering and refusing.
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, test } from "vitest";
import { documentedRoutes } from "../../../local/openapi.js";
import { openApiValidator } from "../../support/openapi-validator.js";
import { type TestStack, useStack } from "../../support/stack.js";
import { issueKey, plan, settle } from "../billing/support.js";

const ctx = useStack();
const v = openApiValidator();
/** `METHOD /path` → the statuses seen and checked. */
const seen = new Map<string, Set<number>>();

type Res = { status: number; body: unknown; headers: Headers };

/** Checks `res` against the document's `method path` and `status`, and records it. */
function fits(method: string, path: string, res: Res, status: number): void {
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
  expect(v.check(method, path, res).problems, `${method} ${path} ${res.status}`).toEqual([]);
  const key = `${method} ${path}`;
  seen.set(key, (seen.get(key) ?? new Set()).add(res.status));
}

const post = (t: TestStack, path: string, body: unknown, headers: Record<string, string> = {}) =>
  t.api(path, { method: "POST", body, headers });
const pub = { key: null } as const;

afterAll(() => {
  // Written for whoever reads a failure of the coverage test below.
  if (process.env.SHOW_CONTRACT) console.log(Object.fromEntries([...seen].map(([k, s]) => [k, [...s]])));
});

describe("every route's responses fit docs/openapi.json", () => {
  test("orders: create, read, status, refund, and their refusals", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    const merchantUid = `oa-${randomUUID().slice(0, 8)}`;
    const order = { name: "Blue mug", amount: 12_000, pay_method: "card", buyer_tel: "010-1234-5678" };

    const created = await post(t, "/orders", { ...order, merchant_uid: merchantUid, buyer_name: "홍길동" });
    fits("POST", "/orders", created, 201);
    fits(
      "POST",
      "/orders",
      await post(t, "/orders", { ...order, merchant_uid: merchantUid, buyer_name: "홍길동" }),
      200,
    );
    fits(
      "POST",
      "/orders",
      await post(t, "/orders", { ...order, merchant_uid: merchantUid, amount: 1 }),
      409,
    );
    fits("POST", "/orders", await post(t, "/orders", { ...order, amount: -1 }), 400);
    fits("POST", "/orders", await t.api("/orders", { body: order, key: null }), 401);
    control.addFault({ method: "POST", path: "/payments/prepare", kind: "status", status: 503 });
    fits("POST", "/orders", await post(t, "/orders", { ...order, merchant_uid: `${merchantUid}-down` }), 503);
    control.clearFaults();

    const byOrder = "/orders/{merchant_uid}";
    const status = "/orders/{merchant_uid}/status";
    fits("GET", byOrder, await t.api(`/orders/${merchantUid}`), 200);
    fits("GET", status, await t.api(`/orders/${merchantUid}/status`, pub), 200);
    fits("GET", byOrder, await t.api("/orders/no-such-order"), 404);
    fits("GET", byOrder, await t.api("/orders/bad$uid"), 400);
    fits("GET", byOrder, await t.api(`/orders/${merchantUid}`, { key: "wrong" }), 401);
    fits("GET", status, await t.api("/orders/no-such-order/status", pub), 404);
    fits("GET", status, await t.api("/orders/bad$uid/status", pub), 400);

    // Not paid yet: nothing to refund (a 409 with its details).
    const refunds = "/orders/{merchant_uid}/refunds";
    const refund = (uid: string, body: unknown, key: string | null = randomUUID()) =>
      post(t, `/orders/${uid}/refunds`, body, key ? { "idempotency-key": key } : {});
    fits("POST", refunds, await refund(merchantUid, { reason: "early" }), 409);

    const paid = control.pay({ ...created.body.request_pay, outcome: "approve" });
    await control.flushWebhooks();
    const key = randomUUID();
    fits("POST", refunds, await refund(merchantUid, { amount: 2_000, reason: "one returned" }, key), 201);
    fits("POST", refunds, await refund(merchantUid, { amount: 2_000, reason: "one returned" }, key), 200);
    fits("POST", refunds, await refund(merchantUid, { amount: 2_000, reason: "another body" }, key), 409);
    fits("POST", refunds, await refund(merchantUid, { reason: "no key" }, null), 400);
    fits("POST", refunds, await refund(merchantUid, { amount: 999_999, reason: "too much" }), 400);
    fits("POST", refunds, await refund("no-such-order", { reason: "x" }), 404);
    fits("POST", refunds, await t.api(`/orders/${merchantUid}/refunds`, { body: {}, key: null }), 401);
    const afterRefund = await t.api(`/orders/${merchantUid}`);
    fits("GET", byOrder, afterRefund, 200);
    expect(afterRefund.body).toMatchObject({ status: "partially_refunded", imp_uid: paid.imp_uid });

    // A virtual account: the status route shows where to pay in.
    const vbank = await post(t, "/orders", { ...order, pay_method: "vbank", amount: 33_000 });
    fits("POST", "/orders", vbank, 201);
    control.pay({ ...vbank.body.request_pay, outcome: "approve" });
    await control.flushWebhooks();
    const awaiting = await t.api(`/orders/${vbank.body.merchant_uid}/status`, pub);
    fits("GET", status, awaiting, 200);
    expect(awaiting.body.status).toBe("awaiting_deposit");
    fits("GET", byOrder, await t.api(`/orders/${vbank.body.merchant_uid}`), 200);
  }, 60_000);

  test("completion doors and the webhook, and their refusals", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    control.setWebhookFault({ kind: "drop" });
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const paid = control.pay({ ...created.body.request_pay, outcome: "approve" });
    const impUid = paid.imp_uid as string;

    const complete = "/payments/complete";
    control.addFault({ method: "GET", path: "/payments/:imp_uid", kind: "status", status: 500 });
    fits(
      "POST",
      complete,
      await t.api(complete, { ...pub, body: { imp_uid: impUid, merchant_uid: merchantUid } }),
      503,
    );
    control.clearFaults();
    fits(
      "POST",
      complete,
      await t.api(complete, { ...pub, body: { imp_uid: impUid, merchant_uid: merchantUid } }),
      200,
    );
    fits(
      "POST",
      complete,
      await t.api(complete, { ...pub, body: { imp_uid: impUid, merchant_uid: "no-such" } }),
      404,
    );
    fits("POST", complete, await t.api(complete, { ...pub, body: { merchant_uid: merchantUid } }), 400);
    fits(
      "POST",
      complete,
      await t.api(complete, { ...pub, body: { imp_uid: "imp_0", merchant_uid: merchantUid } }),
      400,
    );

    const mobile = "/payments/complete/mobile";
    const redirected = await t.api(`${mobile}?imp_uid=${impUid}&merchant_uid=${merchantUid}`, pub);
    fits("GET", mobile, redirected, 302);
    expect(new URL(redirected.headers.get("location")!).searchParams.get("status")).toBe("paid");
    fits("GET", mobile, await t.api(`${mobile}?imp_uid=${impUid}`, pub), 400);

    const webhook = "/webhooks/iamport";
    const note = { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" };
    fits("POST", webhook, await t.api(webhook, { ...pub, body: note }), 200);
    const form = await t.api(webhook, {
      ...pub,
      body: new URLSearchParams(note).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    fits("POST", webhook, form, 200);
    fits("POST", webhook, await t.api(webhook, { ...pub, body: { ...note, merchant_uid: "no-such" } }), 200);
    fits("POST", webhook, await t.api(webhook, { ...pub, body: { merchant_uid: merchantUid } }), 400);
    control.addFault({ method: "GET", path: "/payments/:imp_uid", kind: "status", status: 500 });
    // A hint that could change the order reads iamport (the same `paid` one again would not).
    fits("POST", webhook, await t.api(webhook, { ...pub, body: { ...note, status: "cancelled" } }), 503);
    control.clearFaults();
    control.clearWebhookFaults();
  }, 60_000);

  test("billing keys and subscriptions, and their refusals", async () => {
    const t = ctx();
    const control = t.stack.sandbox!.control;
    const keys = "/billing-keys";
    const buyer = { buyer_name: "홍길동", buyer_tel: "010-1234-5678" };
    fits("POST", keys, await post(t, keys, buyer), 201);
    fits("POST", keys, await post(t, keys, { buyer_tel: "12" }), 400);
    fits("POST", keys, await t.api(keys, { body: buyer, key: null }), 401);
    const customerUid = await issueKey(t);

    const subs = "/subscriptions";
    const subscribe = (body: unknown, key: string | null = randomUUID()) =>
      post(t, subs, body, key ? { "idempotency-key": key } : {});
    const key = randomUUID();
    const created = await subscribe({ plan, customer_uid: customerUid }, key);
    fits("POST", subs, created, 201);
    await settle(t);
    // Verified by the subscription now: issuing it again would re-point it.
    fits("POST", keys, await post(t, keys, { ...buyer, customer_uid: customerUid }), 409);
    fits("POST", subs, await subscribe({ plan, customer_uid: customerUid }, key), 200);
    fits(
      "POST",
      subs,
      await subscribe({ plan: { ...plan, amount: 1 }, customer_uid: customerUid }, key),
      409,
    );
    fits("POST", subs, await subscribe({ plan, customer_uid: customerUid }, null), 400);
    fits(
      "POST",
      subs,
      await subscribe({ plan: { ...plan, interval: "fortnight" }, customer_uid: customerUid }),
      400,
    );
    control.addFault({
      method: "GET",
      path: "/subscribe/customers/:customer_uid",
      kind: "status",
      status: 500,
    });
    fits("POST", subs, await subscribe({ plan, customer_uid: await issueKey(t) }), 503);
    control.clearFaults();

    const id = created.body.id as string;
    const one = "/subscriptions/{id}";
    const view = await t.api(`/subscriptions/${id}`);
    fits("GET", one, view, 200);
    expect(view.body.cycles[0].attempts[0].status).toBe("paid");
    fits("GET", one, await t.api("/subscriptions/sub_0000000000000000"), 404);
    fits("GET", one, await t.api("/subscriptions/not-an-id"), 400);
    fits("GET", one, await t.api(`/subscriptions/${id}`, { key: null }), 401);

    const pause = "/subscriptions/{id}/pause";
    const resume = "/subscriptions/{id}/resume";
    fits("POST", pause, await post(t, `/subscriptions/${id}/pause`, {}), 200);
    fits("POST", pause, await post(t, `/subscriptions/${id}/pause`, {}), 200);
    fits("POST", pause, await post(t, `/subscriptions/${id}/pause`, { now: true }), 400);
    fits("POST", pause, await post(t, "/subscriptions/sub_0000000000000000/pause", {}), 404);
    fits("POST", resume, await post(t, `/subscriptions/${id}/resume`, {}), 200);
    fits("POST", resume, await post(t, "/subscriptions/sub_0000000000000000/resume", {}), 404);

    const card = "/subscriptions/{id}/card";
    const newKey = await issueKey(t);
    fits("POST", card, await post(t, `/subscriptions/${id}/card`, { customer_uid: newKey }), 200);
    await settle(t);
    fits("POST", card, await post(t, `/subscriptions/${id}/card`, {}), 400);
    fits(
      "POST",
      card,
      await post(t, "/subscriptions/sub_0000000000000000/card", { customer_uid: newKey }),
      404,
    );
    control.addFault({
      method: "GET",
      path: "/subscribe/customers/:customer_uid",
      kind: "status",
      status: 500,
    });
    fits("POST", card, await post(t, `/subscriptions/${id}/card`, { customer_uid: await issueKey(t) }), 503);
    control.clearFaults();

    const planPath = "/subscriptions/{id}/plan";
    const change = (uid: string, body: unknown, key: string | null = randomUUID()) =>
      post(t, `/subscriptions/${uid}/plan`, body, key ? { "idempotency-key": key } : {});
    const basic = { name: "Basic", amount: 4_900, effective: "next_cycle" };
    fits("POST", planPath, await change(id, basic), 200);
    fits("POST", planPath, await change(id, basic, null), 400);
    fits("POST", planPath, await change(id, { ...basic, effective: "yesterday" }), 400);
    fits("POST", planPath, await change("sub_0000000000000000", basic), 404);

    const cancel = "/subscriptions/{id}/cancel";
    fits("POST", cancel, await post(t, `/subscriptions/${id}/cancel`, { at: "later" }), 400);
    fits("POST", cancel, await post(t, "/subscriptions/sub_0000000000000000/cancel", { at: "now" }), 404);
    fits(
      "POST",
      cancel,
      await post(t, `/subscriptions/${id}/cancel`, { at: "now", reason: "customer asked" }),
      200,
    );
    fits("POST", cancel, await post(t, `/subscriptions/${id}/cancel`, { at: "now" }), 200);
    // A canceled subscription is not paused, resumed or given a card.
    fits("POST", card, await post(t, `/subscriptions/${id}/card`, { customer_uid: newKey }), 409);
    fits("POST", pause, await post(t, `/subscriptions/${id}/pause`, {}), 409);
    fits("POST", resume, await post(t, `/subscriptions/${id}/resume`, {}), 409);
    fits("POST", planPath, await change(id, basic), 409);
    fits("GET", one, await t.api(`/subscriptions/${id}`), 200);
  }, 90_000);

  test("every documented route was checked answering (2xx or 302) and refusing (4xx)", () => {
    const missing = documentedRoutes().filter((route) => {
      const statuses = [...(seen.get(route) ?? [])];
      return !statuses.some((s) => s < 400) || !statuses.some((s) => s >= 400 && s < 500);
    });

    expect(missing).toEqual([]);
  });
});
