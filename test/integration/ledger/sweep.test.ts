/**
 * The ledger sweep reads iamport's own list of paid payments and matches each
 * with our records: whatever no webhook, lookup or reconciler accounted for is
 * applied or refunded, once, however it races. The real use case (the same
 * one the sweep Lambda runs), DynamoDB Local and the sandbox over HTTP.
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { sweepLedger } from "../../../lib/ledger/sweep-ledger.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { captureAlerts } from "../../support/alerts.js";
import { type TestStack, useStack } from "../../support/stack.js";
import { chargeBehindOurBack, refusedFirstAttempt, view } from "../billing/support.js";
import { checkout, control, iamportPayment, order } from "../orders/refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });
const alerts = captureAlerts();

/** One sweep run with the clock two minutes ahead (past the sweep's lag behind the present). */
function sweep(t: TestStack, ms = 120_000) {
  const deps = buildContainer(parseConfig(t.stack.env), { clock: () => new Date(Date.now() + ms) }).sweepDeps;
  return sweepLedger(deps);
}

/** A second paid card payment under a paid order's merchant_uid (a window opened in a second tab). */
async function secondCardPayment(t: TestStack, webhook: "drop" | "deliver" = "drop") {
  const paid = await checkout(t);
  const created = await order(t, paid.merchantUid);
  if (webhook === "drop") control(t).setWebhookFault({ kind: "drop", times: 1 });
  const rsp = control(t).pay({ ...created.request_pay, outcome: "approve", openedBeforePaid: true });
  expect(rsp.success, JSON.stringify(rsp)).toBe(true);
  if (webhook === "drop") await control(t).flushWebhooks();
  return { ...paid, second: rsp.imp_uid as string };
}

describe("what only the sweep can find", () => {
  test("an orphan: a paid payment under one of our order ids with no order is refunded in full, once", async () => {
    const t = ctx();
    const merchantUid = "ord_orphanorphanorphanorph";
    const rsp = control(t).pay({
      pg: "kicc",
      pay_method: "card",
      merchant_uid: merchantUid,
      amount: 5_000,
      name: "nobody's",
      buyer_tel: "010-1234-5678",
      outcome: "approve",
    });
    await control(t).flushWebhooks();

    const summary = await sweep(t);

    expect(summary.refundOwed).toBeGreaterThanOrEqual(1);
    expect(iamportPayment(t, rsp.imp_uid as string)).toMatchObject({
      status: "cancelled",
      cancel_amount: 5_000,
    });
    expect(alerts("orphan_payment")).toEqual([expect.objectContaining({ merchant_uid: merchantUid })]);
    // No order is invented for it.
    expect((await t.api(`/orders/${merchantUid}`)).status).toBe(404);
    await sweep(t);
    expect(iamportPayment(t, rsp.imp_uid as string).cancel_history).toHaveLength(1);
    expect(alerts("orphan_payment")).toHaveLength(1);
  });

  test("a payment under a merchant_uid that is not ours is left alone", async () => {
    const t = ctx();
    const rsp = control(t).pay({
      pg: "kicc",
      pay_method: "card",
      merchant_uid: "another-system-123",
      amount: 7_000,
      name: "not ours",
      buyer_tel: "010-1234-5678",
      outcome: "approve",
    });
    await control(t).flushWebhooks();

    const summary = await sweep(t);

    expect(summary.foreign).toBeGreaterThanOrEqual(1);
    expect(iamportPayment(t, rsp.imp_uid as string)).toMatchObject({ status: "paid", cancel_amount: 0 });
  });

  test("a second payment whose webhook was lost is refunded in full; the order keeps its own", async () => {
    const t = ctx();
    const { merchantUid, impUid, second } = await secondCardPayment(t);
    expect((await order(t, merchantUid)).refunds_owed).toEqual([]);

    await sweep(t);

    expect(iamportPayment(t, second)).toMatchObject({ status: "cancelled", cancel_amount: 12_000 });
    expect(iamportPayment(t, impUid)).toMatchObject({ status: "paid", cancel_amount: 0 });
    const flagged = await order(t, merchantUid);
    expect(flagged).toMatchObject({ status: "paid", imp_uid: impUid });
    expect(flagged.refunds_owed).toEqual([expect.objectContaining({ imp_uid: second, state: "done" })]);
    expect(alerts("ledger_sweep_findings")).toHaveLength(1);
  });

  test("a charge hidden behind a cycle's last refusal (canceled right after, webhook lost) is refunded", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(t);
    expect((await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } })).status).toBe(200);
    const hidden = await chargeBehindOurBack(t, `${id}_1_1`, customerUid);

    await sweep(t);

    expect(control(t).payment(hidden.imp_uid)).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });
    expect((await view(t, id)).refunds_owed).toEqual([
      expect.objectContaining({ imp_uid: hidden.imp_uid, state: "done" }),
    ]);
  });

  test("a deposit into a second account we never recorded (both webhooks lost) pays the order", async () => {
    const t = ctx();
    const created = await t.createOrder({ pay_method: "vbank", amount: 12_000 });
    const first = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();
    control(t).setWebhookFault({ kind: "drop", times: 2 });
    const second = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    control(t).depositVbank(second.imp_uid as string);
    await control(t).flushWebhooks();
    const merchantUid = created.body.merchant_uid as string;
    expect(await order(t, merchantUid)).toMatchObject({ status: "awaiting_deposit", imp_uid: first.imp_uid });

    const summary = await sweep(t);

    expect(summary.applied).toBeGreaterThanOrEqual(1);
    expect(await order(t, merchantUid)).toMatchObject({ status: "paid", imp_uid: second.imp_uid });
    expect(iamportPayment(t, second.imp_uid as string)).toMatchObject({ status: "paid", cancel_amount: 0 });
  });
});

describe("races", () => {
  test("the sweep and a late webhook for the same second payment: one outcome, one refund", async () => {
    const t = ctx();
    const { merchantUid, second } = await secondCardPayment(t);

    const [, late] = await Promise.all([
      sweep(t),
      t.api("/webhooks/iamport", {
        body: { imp_uid: second, merchant_uid: merchantUid, status: "paid" },
        key: null,
      }),
    ]);

    expect(late.status).toBe(200);
    expect(iamportPayment(t, second)).toMatchObject({ status: "cancelled", cancel_amount: 12_000 });
    expect(iamportPayment(t, second).cancel_history).toHaveLength(1);
    expect((await order(t, merchantUid)).refunds_owed).toHaveLength(1);
  });

  test("two sweeps at once: one moves the cursor, everything is matched once, nothing is refunded twice", async () => {
    const t = ctx();
    const a = await secondCardPayment(t);
    const b = await secondCardPayment(t);

    const runs = await Promise.all([sweep(t), sweep(t)]);

    expect(runs.map((r) => r.stoppedBy)).toContain("cursor_taken");
    for (const { second } of [a, b]) {
      expect(iamportPayment(t, second)).toMatchObject({ status: "cancelled", cancel_amount: 12_000 });
      expect(iamportPayment(t, second).cancel_history).toHaveLength(1);
    }
  });

  test("a pass is resumable: a small budget per run carries the cursor forward until the pass completes", async () => {
    const t = ctx();
    await secondCardPayment(t);
    const deps = buildContainer(parseConfig(t.stack.env), {
      clock: () => new Date(Date.now() + 120_000),
    }).sweepDeps;
    const small = { ...deps, settings: { ...deps.settings, pageSize: 2, maxPayments: 2 } };

    const runs = [];
    for (let i = 0; i < 40; i++) {
      const run = await sweepLedger(small);
      runs.push(run);
      if (run.passesCompleted > 0) break;
    }

    expect(runs.length).toBeGreaterThan(1);
    expect(runs.slice(0, -1).every((r) => r.stoppedBy === "budget")).toBe(true);
    expect(runs.at(-1)?.passesCompleted).toBe(1);
    expect(runs.reduce((sum, r) => sum + r.failed, 0)).toBe(0);
  });
});
