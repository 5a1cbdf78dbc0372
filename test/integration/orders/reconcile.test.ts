/**
 * The reconciler against DynamoDB Local and the sandbox: the deployed handler
 * for what is due now, the use case with a clock ahead for deadlines.
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { reconcileOrders } from "../../../lib/orders/use-cases/reconcile-orders.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { useStack } from "../../support/stack.js";
import {
  checkout,
  control,
  iamportPayment,
  order,
  reconcileAt,
  runReconcileHandler,
} from "./refunds/support.js";

const ctx = useStack();
const PAST_PENDING_DEADLINE = 25; // hours; PENDING_ORDER_MINUTES defaults to 24 h

describe("checkouts left pending", () => {
  test("nothing due yet: the handler leaves fresh orders alone", async () => {
    const t = ctx();
    const created = await t.createOrder();

    const summary = await runReconcileHandler(t);

    expect(summary).toMatchObject({ failed: 0, expired: 0 });
    expect((await order(t, created.body.merchant_uid)).history).toHaveLength(1);
  });

  test("past the deadline: no payment, a closed window or a decline → expired; a paid one whose notices were lost → paid", async () => {
    const t = ctx();
    const untouched = await t.createOrder();
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    const lostNotice = await checkout(t);
    const closed = await t.createOrder();
    control(t).pay({ ...closed.body.request_pay, outcome: "close" });
    const declined = await t.createOrder();
    control(t).pay({ ...declined.body.request_pay, outcome: { decline: "limit_exceeded" } });

    const summary = await reconcileAt(t, PAST_PENDING_DEADLINE);

    expect(summary.failed).toBe(0);
    for (const created of [untouched, closed, declined]) {
      const view = await order(t, created.body.merchant_uid);
      expect(view.status).toBe("expired");
      expect(view.history.at(-1)).toMatchObject({ to: "expired", source: "reconciler" });
    }
    const paid = await order(t, lostNotice.merchantUid);
    expect(paid.status).toBe("paid");
    expect(paid.history.at(-1)).toMatchObject({ to: "paid", source: "reconciler" });
    // Expired and paid orders left the due index: a second run finds nothing of theirs.
    const again = await reconcileAt(t, PAST_PENDING_DEADLINE);
    expect(again.expired).toBe(0);
    expect((await order(t, untouched.body.merchant_uid)).history).toHaveLength(2);
  });

  test("an issued virtual account whose notice was lost, then a failed card attempt: the account wins, not expiry", async () => {
    const t = ctx();
    const created = await t.createOrder({ pay_method: "vbank" });
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    control(t).pay({
      ...created.body.request_pay,
      pay_method: "card",
      outcome: { decline: "limit_exceeded" },
    });

    await reconcileAt(t, PAST_PENDING_DEADLINE);

    const view = await order(t, created.body.merchant_uid);
    expect(view.status).toBe("awaiting_deposit");
    expect(view.vbank.number).toBeTruthy();
  });

  test("a declined attempt, then a paid retry whose notices were lost: the reconciler finds the retry by merchant_uid", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const declined = control(t).pay({
      ...created.body.request_pay,
      outcome: { decline: "insufficient_balance" },
    });
    await t.api("/payments/complete", {
      body: { imp_uid: declined.imp_uid, merchant_uid: merchantUid },
      key: null,
    });
    expect((await order(t, merchantUid)).status).toBe("failed");
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    const retry = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();

    await reconcileAt(t, PAST_PENDING_DEADLINE);

    expect(await order(t, merchantUid)).toMatchObject({ status: "paid", imp_uid: retry.imp_uid });
  });

  test("a payment that arrives after expiry still pays the order (the buyer's money is never ignored)", async () => {
    const t = ctx();
    const created = await t.createOrder();
    await reconcileAt(t, PAST_PENDING_DEADLINE);
    expect((await order(t, created.body.merchant_uid)).status).toBe("expired");

    control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();

    expect((await order(t, created.body.merchant_uid)).status).toBe("paid");
  });
});

describe("forged orders", () => {
  test("a forgery refund that did not go through is retried by the next run", async () => {
    const t = ctx();
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "status", status: 503, times: 1 });
    const { merchantUid, impUid } = await checkout(t, {}, { amount: 100, bypassPrepare: true });
    const forged = await order(t, merchantUid);
    expect(forged).toMatchObject({ status: "forged", forgery: { refund: "pending" } });
    expect(iamportPayment(t, impUid).cancel_amount).toBe(0);

    const summary = await runReconcileHandler(t);

    expect(summary.failed).toBe(0);
    expect(iamportPayment(t, impUid).cancel_amount).toBe(100);
    expect(await order(t, merchantUid)).toMatchObject({
      status: "forged",
      forgery: { refund: "done", refunded_amount: 100 },
    });
  });
});

describe("failures and bounds", () => {
  test("iamport down: the run reports failures, does not expire anything and reschedules the orders", async () => {
    const t = ctx();
    const created = await t.createOrder();
    control(t).addFault({
      method: "GET",
      path: "/payments/findAll/:merchant_uid",
      kind: "status",
      status: 503,
    });
    try {
      const summary = await reconcileAt(t, PAST_PENDING_DEADLINE);
      expect(summary.failed).toBeGreaterThanOrEqual(1);
      expect((await order(t, created.body.merchant_uid)).status).toBe("pending");
      // Rescheduled RECONCILE_RETRY_MINUTES ahead: the same instant finds it no longer due.
      const again = await reconcileAt(t, PAST_PENDING_DEADLINE);
      expect(again.checked).toBe(0);
    } finally {
      control(t).clearFaults();
    }
    await reconcileAt(t, PAST_PENDING_DEADLINE + 1);
    expect((await order(t, created.body.merchant_uid)).status).toBe("expired");
  });

  test("a run handles at most RECONCILE_MAX_ORDERS; the next run takes the rest", async () => {
    const t = ctx();
    for (let i = 0; i < 3; i++) await t.createOrder();
    const clock = () => new Date(Date.now() + (PAST_PENDING_DEADLINE + 2) * 3600_000);
    const deps = buildContainer(parseConfig({ ...t.stack.env, RECONCILE_MAX_ORDERS: "2" }), {
      clock,
    }).reconcileDeps;

    const first = await reconcileOrders(deps);
    const second = await reconcileOrders(deps);

    expect(first.checked).toBe(2);
    expect(second.checked).toBeGreaterThanOrEqual(1);
    expect(first.expired + second.expired).toBeGreaterThanOrEqual(3);
  });
});
