/**
 * What the billing routes refuse, in live mode: a billing key iamport does
 * not vouch for (a test channel's, an unknown one), and every malformed
 * input. Each refusal is a 4xx naming the field, and nothing is written
 * (invariant 6): the table is compared before and after.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { createBillingKey } from "../../../../lib/billing/use-cases/create-billing-key.js";
import { parseConfig } from "../../../../lib/config.js";
import { NotConfiguredError } from "../../../../lib/errors.js";
import { errorResponse } from "../../../../lib/http/error-response.js";
import { createLogger } from "../../../../lib/observability/logger.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import { useStack } from "../../../support/stack.js";
import { chargesOf, issueKey, plan, settle, subscribe, subscribed, tableItems } from "../support.js";

const ctx = useStack({ env: { IAMPORT_MODE: "live" } });

/** Runs `act` and checks the table did not change. */
async function writesNothing(act: () => Promise<unknown>): Promise<void> {
  const t = ctx();
  const before = await tableItems(t);
  await act();
  expect(await tableItems(t)).toEqual(before);
}

describe("billing keys iamport does not vouch for", () => {
  test("a key issued through a test channel is refused in live mode; nothing is stored or charged", async () => {
    const t = ctx();
    const customerUid = await issueKey(t, { testChannel: true });

    await writesNothing(async () => {
      const res = await subscribe(t, { customer_uid: customerUid });

      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([
        { field: "customer_uid", reason: expect.stringMatching(/test channel/) },
      ]);
    });
    expect(chargesOf(t, customerUid)).toHaveLength(0);
  });

  test("a customer_uid iamport has no key for is refused, as is switching to one", async () => {
    const t = ctx();
    const { id } = await subscribed(t);

    await writesNothing(async () => {
      const created = await subscribe(t, { customer_uid: "never-issued" });
      const switched = await t.api(`/subscriptions/${id}/card`, { body: { customer_uid: "never-issued" } });

      for (const res of [created, switched]) {
        expect(res.status).toBe(400);
        expect(res.body.issues).toEqual([
          { field: "customer_uid", reason: expect.stringMatching(/no billing key/) },
        ]);
      }
    });
  });

  test("a real-channel key through our billing MID is charged in live mode", async () => {
    const t = ctx();

    const { id, customerUid } = await subscribed(t);

    expect((await t.api(`/subscriptions/${id}`)).body.status).toBe("active");
    expect(chargesOf(t, customerUid)[0]).toMatchObject({ status: "paid", sandbox: false });
  });
});

describe("every bad input is a 4xx naming the field, and writes nothing", () => {
  const key = () => ({ "idempotency-key": randomUUID() });
  const cases: Array<
    [string, string, () => { path: string; body?: unknown; headers?: Record<string, string> }, string]
  > = [
    ["POST", "/billing-keys without buyer_tel", () => ({ path: "/billing-keys", body: {} }), "buyer_tel"],
    [
      "POST",
      "/billing-keys with amount as a string",
      () => ({ path: "/billing-keys", body: { buyer_tel: "010-1234-5678", amount: "1000" } }),
      "amount",
    ],
    [
      "POST",
      "/billing-keys with a customer_uid with spaces",
      () => ({ path: "/billing-keys", body: { buyer_tel: "010-1234-5678", customer_uid: "a b" } }),
      "customer_uid",
    ],
    [
      "POST",
      "/billing-keys with an unknown field",
      () => ({ path: "/billing-keys", body: { buyer_tel: "010-1234-5678", card_number: "4111" } }),
      "body",
    ],
    [
      "POST",
      "/billing-keys returning to a foreign origin",
      () => ({
        path: "/billing-keys",
        body: { buyer_tel: "010-1234-5678", m_redirect_url: "https://evil.example/x" },
      }),
      "m_redirect_url",
    ],
    [
      "POST",
      "/subscriptions without Idempotency-Key",
      () => ({ path: "/subscriptions", body: { customer_uid: "c", plan } }),
      "header.idempotency-key",
    ],
    [
      "POST",
      "/subscriptions without customer_uid",
      () => ({ path: "/subscriptions", body: { plan }, headers: key() }),
      "customer_uid",
    ],
    [
      "POST",
      "/subscriptions with plan.amount 0",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan: { ...plan, amount: 0 } },
        headers: key(),
      }),
      "plan.amount",
    ],
    [
      "POST",
      "/subscriptions with plan.amount as a string",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan: { ...plan, amount: "9900" } },
        headers: key(),
      }),
      "plan.amount",
    ],
    [
      "POST",
      "/subscriptions with a fractional amount",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan: { ...plan, amount: 99.5 } },
        headers: key(),
      }),
      "plan.amount",
    ],
    [
      "POST",
      "/subscriptions with a fortnightly plan (an interval that does not exist)",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan: { ...plan, interval: "fortnight" } },
        headers: key(),
      }),
      "plan.interval",
    ],
    [
      "POST",
      "/subscriptions with anchor_day 32",
      () => ({ path: "/subscriptions", body: { customer_uid: "c", plan, anchor_day: 32 }, headers: key() }),
      "anchor_day",
    ],
    [
      "POST",
      "/subscriptions with start_at not a date-time",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan, start_at: "tomorrow" },
        headers: key(),
      }),
      "start_at",
    ],
    [
      "POST",
      "/subscriptions with start_at in the past",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan, start_at: "2020-01-01T00:00:00+09:00" },
        headers: key(),
      }),
      "start_at",
    ],
    [
      "POST",
      "/subscriptions with start_at off its anchor_day",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan, anchor_day: 1, start_at: offAnchor() },
        headers: key(),
      }),
      "anchor_day",
    ],
    [
      "POST",
      "/subscriptions with an unknown field",
      () => ({
        path: "/subscriptions",
        body: { customer_uid: "c", plan, coupon: "WELCOME" },
        headers: key(),
      }),
      "body",
    ],
    [
      "POST",
      "/subscriptions with a body that is not JSON",
      () => ({ path: "/subscriptions", body: "{plan:", headers: key() }),
      "body",
    ],
    ["GET", "/subscriptions/{id} with a malformed id", () => ({ path: "/subscriptions/sub_1" }), "path.id"],
    [
      "POST",
      "/subscriptions/{id}/cancel without at",
      () => ({ path: "/subscriptions/sub_0123456789abcdef/cancel", body: {} }),
      "at",
    ],
    [
      "POST",
      "/subscriptions/{id}/cancel at later",
      () => ({ path: "/subscriptions/sub_0123456789abcdef/cancel", body: { at: "later" } }),
      "at",
    ],
    [
      "POST",
      "/subscriptions/{id}/pause with a field",
      () => ({ path: "/subscriptions/sub_0123456789abcdef/pause", body: { until: "2027-01-01" } }),
      "body",
    ],
    [
      "POST",
      "/subscriptions/{id}/card without customer_uid",
      () => ({ path: "/subscriptions/sub_0123456789abcdef/card", body: {} }),
      "customer_uid",
    ],
  ];

  test.each(cases)("%s %s → 400 naming %s", async (method, _what, request, field) => {
    const t = ctx();
    const { path, body, headers } = request();

    await writesNothing(async () => {
      const res = await t.api(path, {
        method,
        ...(body !== undefined ? { body } : {}),
        ...(headers ? { headers } : {}),
      });

      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toBe("invalid_request");
      expect(res.body.issues.map((i: { field: string }) => i.field)).toContain(field);
    });
  });

  test("a webhook for a charge we never claimed (a spoofed sub_ merchant_uid) is acknowledged and writes nothing", async () => {
    const t = ctx();

    await writesNothing(async () => {
      const res = await t.api("/webhooks/iamport", {
        key: null,
        body: { imp_uid: "imp_000000000001", merchant_uid: "sub_0123456789abcdef_1_1", status: "paid" },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ kind: "subscription", outcome: "unknown_charge" });
    });
  });

  test("unknown subscriptions are 404, a missing API key 401; neither writes", async () => {
    const t = ctx();
    const id = "sub_0123456789abcdef";

    await writesNothing(async () => {
      expect((await t.api(`/subscriptions/${id}`)).status).toBe(404);
      expect((await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } })).status).toBe(404);
      expect((await t.api(`/subscriptions/${id}/pause`, { method: "POST" })).status).toBe(404);
      expect((await t.api("/billing-keys", { body: { buyer_tel: "010-1234-5678" }, key: null })).status).toBe(
        401,
      );
    });
  });
});

describe("idempotency and reuse", () => {
  test("the same Idempotency-Key and body: the same subscription, charged once; another body: 409", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const idempotencyKey = randomUUID();
    const first = await subscribe(t, { customer_uid: customerUid }, idempotencyKey);
    await settle(t);

    const again = await subscribe(t, { customer_uid: customerUid }, idempotencyKey);
    const other = await subscribe(
      t,
      { customer_uid: customerUid, plan: { ...plan, amount: 1 } },
      idempotencyKey,
    );
    await settle(t);

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body.id).toBe(first.body.id);
    expect(other.status).toBe(409);
    expect(other.body.error).toBe("idempotency_key_reused");
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });

  test("a customer_uid that already names a verified key is not issued again (it would orphan the old card's key)", async () => {
    const t = ctx();
    const { customerUid } = await subscribed(t);

    const res = await t.api("/billing-keys", {
      body: { buyer_tel: "010-1234-5678", customer_uid: customerUid },
    });

    expect(res.status).toBe(409);
    expect(res.body.error).toBe("customer_uid_taken");
  });

  test("without KICC_BILLING_MID, issuing a billing key is refused clearly (501, naming the setting)", async () => {
    const t = ctx();
    const config = parseConfig({ ...t.stack.env, KICC_BILLING_MID: "" });

    const error = await createBillingKey(buildContainer(config).createBillingKeyDeps, {
      buyer_tel: "010-1234-5678",
    }).catch((e: unknown) => e);
    const response = errorResponse(error, createLogger({ level: "silent" }));

    expect(error).toBeInstanceOf(NotConfiguredError);
    expect(response.statusCode).toBe(501);
    expect(JSON.parse(String(response.body))).toMatchObject({
      error: "not_configured",
      setting: "KICC_BILLING_MID",
    });
  });
});

/** A start time tomorrow (or the day after) that is not on anchor day 1 in KST. */
function offAnchor(): string {
  const kstDay = (ms: number) => new Date(ms + 9 * 3_600_000).getUTCDate();
  let at = Date.now() + 24 * 3_600_000;
  if (kstDay(at) === 1) at += 24 * 3_600_000;
  return new Date(at).toISOString();
}
