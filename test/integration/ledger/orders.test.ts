/**
 * The books balance for one-off orders (invariant 8): every payment iamport
 * holds under an order's merchant_uid is the one the order keeps, refunded in
 * full, or waiting on a person with an alert that says what to do. Each case
 * here was a failing test first (issue: the books always balance). The real
 * handlers, DynamoDB Local and the sandbox over HTTP.
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { refundOrder } from "../../../lib/orders/use-cases/refund-order.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { captureAlerts } from "../../support/alerts.js";
import { useStack } from "../../support/stack.js";
import {
  checkout,
  control,
  iamportPayment,
  order,
  reconcileAt,
  refund,
  refundAccount,
} from "../orders/refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });

const alerts = captureAlerts();

/** A vbank order with its account issued (webhooks delivered). */
async function vbankOrder(amount = 12_000, pay: Record<string, unknown> = {}) {
  const t = ctx();
  const created = await t.createOrder({ pay_method: "vbank", amount });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const first = control(t).pay({ ...created.body.request_pay, outcome: "approve", ...pay });
  expect(first.success, JSON.stringify(first)).toBe(true);
  await control(t).flushWebhooks();
  return {
    t,
    merchantUid: created.body.merchant_uid as string,
    requestPay: created.body.request_pay,
    first: first.imp_uid as string,
  };
}

/** The buyer reopens the window of the same order: iamport issues a second account under its merchant_uid. */
async function reopenWindow(requestPay: Record<string, unknown>) {
  const t = ctx();
  const again = control(t).pay({ ...requestPay, outcome: "approve" });
  expect(again.success, JSON.stringify(again)).toBe(true);
  await control(t).flushWebhooks();
  return again.imp_uid as string;
}

describe("case 1: a second virtual account on one order", () => {
  test("the deposit goes into the second account and its webhook is lost: the reconciler finds it, the order is paid", async () => {
    const { t, merchantUid, requestPay, first } = await vbankOrder();
    const second = await reopenWindow(requestPay);
    expect(await order(t, merchantUid)).toMatchObject({ status: "awaiting_deposit", imp_uid: first });

    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).depositVbank(second);
    await control(t).flushWebhooks();
    expect((await order(t, merchantUid)).status).toBe("awaiting_deposit");

    await reconcileAt(t, 1.5);

    expect(await order(t, merchantUid)).toMatchObject({ status: "paid", imp_uid: second });
    // Reading again past every deadline changes nothing: the money is the order's, never expired away.
    await reconcileAt(t, 24 * 30);
    expect(await order(t, merchantUid)).toMatchObject({ status: "paid", imp_uid: second });
  });

  test("no deposit: the order stays open until the later of the two deadlines, then expires", async () => {
    const { t, merchantUid, requestPay } = await vbankOrder();
    const dueFirst = (await order(t, merchantUid)).vbank.due_at as string;
    // The second window asks for a later deadline.
    const later = { ...requestPay, vbank_due: kstDate(Date.parse(dueFirst) + 48 * 3600_000) };
    await reopenWindow(later);

    await reconcileAt(t, hoursUntil(dueFirst) + 1);
    expect((await order(t, merchantUid)).status).toBe("awaiting_deposit");
    await reconcileAt(t, hoursUntil(dueFirst) + 72);
    expect((await order(t, merchantUid)).status).toBe("expired");
  });
});

describe("case 6: a second paid payment under one order's merchant_uid", () => {
  test("deposits into both accounts: the order keeps the first, the second is owed back and waits for the buyer's account, then is refunded", async () => {
    const { t, merchantUid, requestPay, first } = await vbankOrder();
    const second = await reopenWindow(requestPay);
    control(t).depositVbank(first);
    await control(t).flushWebhooks();
    control(t).depositVbank(second);
    await control(t).flushWebhooks();

    const flagged = await order(t, merchantUid);
    expect(flagged).toMatchObject({ status: "paid", imp_uid: first });
    expect(flagged.refunds_owed).toEqual([
      expect.objectContaining({
        imp_uid: second,
        reason: "second_payment",
        amount: 12_000,
        state: "needs_account",
      }),
    ]);
    expect(flagged.history.at(-1)).toMatchObject({ from: "paid", to: "paid", imp_uid: second });
    expect(alerts("second_payment")).toHaveLength(1);
    expect(alerts("refund_needs_account")).toEqual([
      expect.objectContaining({ imp_uid: second, amount: 12_000 }),
    ]);

    // The reconciler does not keep alerting while it waits for a person.
    await reconcileAt(t, 0.1);
    expect(alerts("refund_needs_account")).toHaveLength(1);

    const given = await refund(t, merchantUid, {
      reason: "double deposit",
      imp_uid: second,
      ...refundAccount,
    });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(iamportPayment(t, second)).toMatchObject({ status: "cancelled", cancel_amount: 12_000 });
    expect(iamportPayment(t, first)).toMatchObject({ status: "paid", cancel_amount: 0 });
    const settled = await order(t, merchantUid);
    expect(settled).toMatchObject({ status: "paid", refunded_amount: 0 });
    expect(settled.refunds_owed).toEqual([expect.objectContaining({ imp_uid: second, state: "done" })]);

    // The same request again refunds nothing more.
    const replay = await refund(t, merchantUid, {
      reason: "double deposit",
      imp_uid: second,
      ...refundAccount,
    });
    expect(replay.status).toBe(200);
    expect(iamportPayment(t, second).cancel_history).toHaveLength(1);
  });

  test("naming a payment with no refund owed is a 400 naming imp_uid, and changes nothing", async () => {
    const t = ctx();
    const { merchantUid } = await checkout(t);
    const res = await refund(t, merchantUid, { reason: "x", imp_uid: "imp_000000000000" });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([expect.objectContaining({ field: "imp_uid" })]);
    expect((await order(t, merchantUid)).status).toBe("paid");
  });
});

describe("cases 4 and 5: a virtual account issued for the wrong amount", () => {
  test("forged at once with an alert, watched until its deadline; a deposit whose webhook is lost is found and waits for the account; the refund then goes through", async () => {
    const { t, merchantUid, first } = await vbankOrder(12_000, { amount: 1_000, bypassPrepare: true });
    const forged = await order(t, merchantUid);
    expect(forged).toMatchObject({ status: "forged", forgery: { imp_uid: first, refund: "none" } });
    expect(alerts("amount_mismatch")).toHaveLength(1);

    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).depositVbank(first);
    await control(t).flushWebhooks();
    await reconcileAt(t, 1.5);

    const waiting = await order(t, merchantUid);
    expect(waiting).toMatchObject({ status: "forged", forgery: { refund: "needs_account" } });
    expect(waiting.refunds_owed).toEqual([
      expect.objectContaining({ imp_uid: first, reason: "forged", amount: 1_000, state: "needs_account" }),
    ]);
    expect(alerts("refund_needs_account")).toHaveLength(1);
    // Case 5: no run retries a cancel iamport must refuse, and nobody is paged again.
    await reconcileAt(t, 3);
    await reconcileAt(t, 30);
    expect(iamportPayment(t, first).cancel_amount).toBe(0);
    expect(alerts("refund_needs_account")).toHaveLength(1);
    expect(alerts("refund_failed")).toHaveLength(0);

    const missing = await refund(t, merchantUid, { reason: "forged deposit" });
    expect(missing.status).toBe(400);
    expect(missing.body.issues.map((d: { field: string }) => d.field)).toEqual([
      "refund_holder",
      "refund_bank",
      "refund_account",
    ]);

    const given = await refund(t, merchantUid, { reason: "forged deposit", ...refundAccount });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    expect(iamportPayment(t, first)).toMatchObject({ status: "cancelled", cancel_amount: 1_000 });
    expect(await order(t, merchantUid)).toMatchObject({
      status: "forged",
      refunded_amount: 1_000,
      forgery: { refund: "done", refunded_amount: 1_000 },
    });
  });

  test("no deposit by the deadline: the order leaves the reconciler's index", async () => {
    const { t, merchantUid } = await vbankOrder(12_000, { amount: 1_000, bypassPrepare: true });
    const due = (await order(t, merchantUid)).vbank.due_at as string;
    await reconcileAt(t, hoursUntil(due) + 1);
    const summary = await reconcileAt(t, hoursUntil(due) + 2);
    expect(summary.checked).toBe(0);
    expect((await order(t, merchantUid)).status).toBe("forged");
  });
});

describe("case 7: a refund that landed late", () => {
  test("the retry's cancel is refused because the first one landed meanwhile: the retry reports the refund made, and nothing is refunded twice", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await checkout(t);
    const deps = buildContainer(parseConfig(t.stack.env)).refundDeps;
    // The first cancel times out at iamport's door (never executed)...
    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "timeout", times: 1 });
    const request = { amount: 5_000, reason: "late landing" };
    const first = await refund(t, merchantUid, request, "late-key");
    expect(first.status).toBe(503);
    control(t).clearFaults();

    // ...and lands at iamport just after the retry looked (between its lookup and its own cancel).
    let landed = false;
    const iamport = {
      ...deps.iamport,
      cancelPayment: async (input: Parameters<typeof deps.iamport.cancelPayment>[0]) => {
        if (!landed) {
          landed = true;
          await deps.iamport.cancelPayment(input);
        }
        return deps.iamport.cancelPayment(input);
      },
    };
    const retry = await refundOrder(
      { ...deps, iamport },
      { merchantUid, idempotencyKey: "late-key", request },
    );

    expect(retry.result).toMatchObject({ amount: 5_000, order: { refundedAmount: 5_000 } });
    expect(iamportPayment(t, impUid)).toMatchObject({ cancel_amount: 5_000 });
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
    expect(alerts("balance_mismatch")).toHaveLength(0);
    const replay = await refund(t, merchantUid, request, "late-key");
    expect(replay.status).toBe(200);
    expect(replay.body.refund.cancellation_id).toBe(retry.result.cancellationId);
  });
});

function hoursUntil(iso: string): number {
  return (Date.parse(iso) - Date.now()) / 3600_000;
}

/** `YYYYMMDDHHmmss` in KST, as `vbank_due` takes it. */
function kstDate(ms: number): string {
  const d = new Date(ms + 9 * 3600_000);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}00`;
}
