/**
 * Virtual-account deadlines, decided by the reconciler only after it has read
 * iamport: no deposit → expired; a deposit whose webhook was dropped → paid.
 * The sandbox clock and the reconciler's clock are moved past the deadline
 * together (the reconciler use case with a clock `hours` ahead).
 */
import { afterEach, describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";
import { checkout, control, order, reconcileAt } from "../orders/refunds/support.js";

const ctx = useStack();
const HOURS_PAST_DUE = 73; // the default deadline is 72 hours

let clockAtStart: number | undefined;
afterEach(() => {
  if (clockAtStart !== undefined) control(ctx()).setClock(clockAtStart);
  clockAtStart = undefined;
});
const advanceSandbox = (hours: number) => {
  clockAtStart ??= control(ctx()).now();
  control(ctx()).advanceClock(hours * 3600);
};

describe("virtual account deadlines", () => {
  test("no deposit by the deadline → expired, after iamport was checked; a late deposit is refused by the bank", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, { pay_method: "vbank" });
    expect((await order(t, merchantUid)).status).toBe("awaiting_deposit");

    const early = await reconcileAt(t, 1);
    expect((await order(t, merchantUid)).status).toBe("awaiting_deposit");
    advanceSandbox(HOURS_PAST_DUE);
    const summary = await reconcileAt(t, HOURS_PAST_DUE);

    expect(early.expired).toBe(0);
    expect(summary.expired).toBeGreaterThanOrEqual(1);
    const expired = await order(t, merchantUid);
    expect(expired.status).toBe("expired");
    expect(expired.history.at(-1)).toMatchObject({
      from: "awaiting_deposit",
      to: "expired",
      source: "reconciler",
    });
    expect((await t.api(`/orders/${merchantUid}/status`, { key: null })).body).toEqual({
      merchant_uid: merchantUid,
      status: "expired",
      amount: 12_000,
    });
    expect(() => control(t).depositVbank(impUid)).toThrow(/expired/);
  });

  test("an expired account stays expired when its ready record is replayed through a door", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, { pay_method: "vbank" });
    advanceSandbox(HOURS_PAST_DUE);
    await reconcileAt(t, HOURS_PAST_DUE);
    const before = await order(t, merchantUid);
    expect(before.status).toBe("expired");

    // The buyer reopens the result page; iamport's webhook for the issuance comes again.
    const redirect = await t.api(`/payments/complete/mobile?imp_uid=${impUid}&merchant_uid=${merchantUid}`, {
      key: null,
    });
    const webhook = await t.api("/webhooks/iamport", {
      key: null,
      body: { imp_uid: impUid, merchant_uid: merchantUid, status: "ready" },
    });

    expect(redirect.status).toBe(302);
    expect(webhook.status).toBe(200);
    const after = await order(t, merchantUid);
    expect(after.status).toBe("expired");
    expect(after.history).toEqual(before.history);
  });

  test("a deposit whose webhook was dropped is found by the reconciler: paid, never expired", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t, { pay_method: "vbank" });
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).depositVbank(impUid);
    await control(t).flushWebhooks();
    expect((await order(t, merchantUid)).status).toBe("awaiting_deposit");

    advanceSandbox(HOURS_PAST_DUE);
    await reconcileAt(t, HOURS_PAST_DUE);

    const paid = await order(t, merchantUid);
    expect(paid.status).toBe("paid");
    expect(paid.history.map((e: { to: string; source: string }) => `${e.to}/${e.source}`)).toEqual([
      "pending/api",
      "awaiting_deposit/webhook",
      "paid/reconciler",
    ]);
  });

  test("an issued account whose ready webhook was dropped is found and kept open until its deadline", async () => {
    const t = ctx();
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    const { merchantUid } = await checkout(t, { pay_method: "vbank" });
    expect((await order(t, merchantUid)).status).toBe("pending");

    await reconcileAt(t, 25); // past the pending deadline (24 h), before the deposit deadline (72 h)

    const found = await order(t, merchantUid);
    expect(found.status).toBe("awaiting_deposit");
    expect(found.history.at(-1)).toMatchObject({ to: "awaiting_deposit", source: "reconciler" });
  });
});
