/**
 * The books balance for subscription charges (invariant 8): every payment
 * iamport holds under a `sub_…` merchant_uid is the one its cycle keeps, or
 * refunded in full, durably. The cases of the books-balance review, each a
 * failing test first. The real handlers, DynamoDB Local, the sandbox over
 * HTTP and the local SQS stand-in.
 */
import { describe, expect, test } from "vitest";
import { captureAlerts } from "../../support/alerts.js";
import { useStack } from "../../support/stack.js";
import {
  chargeBehindOurBack,
  chargesOf,
  claimInFlight,
  control,
  dispatchAt,
  refusedFirstAttempt,
  settle,
  subscribed,
  view,
} from "../billing/support.js";
import { runReconcileHandler } from "../orders/refunds/support.js";

// A one-second settle window, so the consumer (on the real clock) sees it pass within a test.
const ctx = useStack({ env: { LOG_LEVEL: "error", BILLING_UNKNOWN_SETTLE_SECONDS: "1" } });
const alerts = captureAlerts();
const webhook = () => `${ctx().stack.apiUrl}/webhooks/iamport`;

describe("case 2: a surplus refund that fails is not forgotten", () => {
  test("an attempt in flight comes back paid after a cancel; its refund gets a 503; the refund stays owed and the next reconciler run makes it, once", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);
    // Cycle 2's attempt is claimed and sent; its worker dies before the answer is recorded.
    await claimInFlight(t, { id, cycle: 2, attempt: 1, customerUid });
    expect((await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } })).status).toBe(200);

    control(t).addFault({ method: "POST", path: "/payments/cancel", kind: "status", status: 503, times: 1 });
    const late = await chargeBehindOurBack(t, `${id}_2_1`, customerUid, webhook());
    await settle(t);

    // The webhook answered, the refund is owed durably, nothing was refunded yet.
    expect(control(t).payment(late.imp_uid)).toMatchObject({ status: "paid", cancel_amount: 0 });
    const owed = await view(t, id);
    expect(owed.refunds_owed).toEqual([
      expect.objectContaining({ imp_uid: late.imp_uid, reason: "surplus", state: "pending", amount: 9_900 }),
    ]);
    expect(owed).toMatchObject({ status: "canceled", paid_cycles: 1 });

    await runReconcileHandler(t);

    expect(control(t).payment(late.imp_uid)).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });
    expect((await view(t, id)).refunds_owed).toEqual([expect.objectContaining({ state: "done" })]);
    // A redelivered webhook and another run change nothing.
    const replay = await t.api("/webhooks/iamport", {
      body: { imp_uid: late.imp_uid, merchant_uid: `${id}_2_1`, status: "paid" },
      key: null,
    });
    expect(replay.status).toBe(200);
    await runReconcileHandler(t);
    expect(control(t).payment(late.imp_uid)?.cancel_history).toHaveLength(1);
    expect(alerts("double_charge_refunded")).toEqual([
      expect.objectContaining({ merchant_uid: `${id}_2_1`, imp_uid: late.imp_uid, refunded: 9_900 }),
    ]);
  });
});

describe("case 3: a charge hidden behind a cycle's last refusal", () => {
  test("refused, then canceled right after; the PG had charged and its webhook is lost: the re-check after the settle window finds it and refunds it", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(t);
    expect((await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } })).status).toBe(200);
    const hidden = await chargeBehindOurBack(t, `${id}_1_1`, customerUid);
    await settle(t);

    await dispatchAt(t, 3 * 60_000);

    expect(control(t).payment(hidden.imp_uid)).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });
    expect(await view(t, id)).toMatchObject({ status: "canceled", paid_cycles: 0 });
    expect(alerts("double_charge_refunded")).toEqual([
      expect.objectContaining({ merchant_uid: `${id}_1_1`, imp_uid: hidden.imp_uid, refunded: 9_900 }),
    ]);
    // Once re-checked, the refusal leaves the index: later runs send nothing and look no more.
    await dispatchAt(t, 60 * 60_000);
    expect(control(t).payment(hidden.imp_uid)?.cancel_history).toHaveLength(1);
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });

  test("refused and nothing was charged: the re-check finds nothing, changes nothing, and is done", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(t);
    expect((await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const first = await dispatchAt(t, 3 * 60_000);
    const again = await dispatchAt(t, 30 * 60_000);

    expect(first.resolving).toBe(1);
    expect(again.resolving).toBe(0);
    expect(chargesOf(t, customerUid)).toHaveLength(0);
    expect(await view(t, id)).toMatchObject({ status: "canceled" });
  });
});

describe("case 8: a second paid payment under a charge's merchant_uid", () => {
  test("the cycle is paid by attempt 1; a second payment under the same merchant_uid is refunded in full, with an alert; the first is kept", async () => {
    const t = ctx();
    const { id } = await subscribed(t);
    const first = (await view(t, id)).cycles[0].imp_uid as string;

    // A window opened before the charge was paid lands a second payment under its merchant_uid.
    const rsp = control(t).pay({
      pg: "kicc",
      pay_method: "card",
      merchant_uid: `${id}_1_1`,
      amount: 9_900,
      name: "Pro plan",
      buyer_tel: "010-1234-5678",
      notice_url: webhook(),
      outcome: "approve",
      openedBeforePaid: true,
    });
    expect(rsp.success, JSON.stringify(rsp)).toBe(true);
    await settle(t);

    const second = rsp.imp_uid as string;
    expect(control(t).payment(second)).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });
    expect(control(t).payment(first)).toMatchObject({ status: "paid", cancel_amount: 0 });
    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", paid_cycles: 1, current_cycle: 2 });
    expect(sub.refunds_owed).toEqual([
      expect.objectContaining({ imp_uid: second, reason: "second_payment", state: "done" }),
    ]);
    expect(alerts("second_payment")).toHaveLength(1);
    expect(alerts("double_charge_refunded")).toEqual([expect.objectContaining({ imp_uid: second })]);
  });
});
