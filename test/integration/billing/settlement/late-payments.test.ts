/**
 * A cycle attempt we settled as not paid that iamport charged after all
 * (invariant 3): a PG communication error answered with a non-zero code while
 * the card was charged. The retry looks the earlier attempt up before sending;
 * a paid webhook for it is applied or refunded once. The real handlers,
 * DynamoDB Local, the sandbox over HTTP and the local SQS stand-in.
 *
 * The sandbox cannot answer `again` with a non-zero code AND charge, so the
 * test answers attempt 1 with a refusal (a status fault) and then charges its
 * merchant_uid itself over the sandbox's REST API, as the PG would have.
 */
import { describe, expect, test } from "vitest";
import { newClaim } from "../../../../lib/billing/rules/charge-attempt-machine.js";
import { parseConfig } from "../../../../lib/config.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import { captureAlerts } from "../../../support/alerts.js";
import { useStack } from "../../../support/stack.js";
import {
  chargeBehindOurBack,
  chargesOf,
  control,
  dispatchAt,
  refusedFirstAttempt,
  settle,
  view,
} from "../support.js";

// Log errors (the ALERT lines) so the tests can read them; everything else stays quiet.
const ctx = useStack({ env: { LOG_LEVEL: "error" } });

const alerts = captureAlerts();

describe("a retry looks up the cycle's earlier attempts before it sends", () => {
  test("attempt 1 was refused but charged: the retry finds it, sends nothing, the cycle is paid once, with an alert", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(ctx());
    // The PG charged after all; its webhook never reaches us, so only the retry's lookup can find it.
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    const late = await chargeBehindOurBack(ctx(), `${id}_1_1`, customerUid);
    await settle(t);

    await dispatchAt(t, 61 * 60_000);

    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 2, paid_cycles: 1, dunning: null });
    expect(sub.cycles[0]).toMatchObject({
      cycle: 1,
      status: "paid",
      imp_uid: late.imp_uid,
      attempts: [{ attempt: 1, status: "paid", imp_uid: late.imp_uid, resolved_by: "lookup" }],
    });
    expect(chargesOf(t, customerUid).map((p) => [p.merchant_uid, p.status])).toEqual([[`${id}_1_1`, "paid"]]);
    expect(alerts("late_paid_attempt")).toEqual([
      expect.objectContaining({ merchant_uid: `${id}_1_1`, imp_uid: late.imp_uid, was: "error" }),
    ]);
  });

  test("iamport cannot be read: nothing is sent; the message comes back and charges once iamport answers", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(ctx());
    control(t).addFault({
      method: "GET",
      path: "/payments/find/:merchant_uid/:status",
      kind: "status",
      status: 503,
      times: 3,
    });

    await dispatchAt(t, 61 * 60_000);

    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 2 });
    expect(sub.cycles[0].attempts.map((a: { status: string }) => a.status)).toEqual(["error", "paid"]);
    expect(chargesOf(t, customerUid)).toHaveLength(1);
    // Every injected lookup failure was met (and waited out) before the charge went.
    expect(
      control(t)
        .faults()
        .filter((f) => f.path.startsWith("/payments/find")),
    ).toEqual([expect.objectContaining({ times: 0 })]);
  });
});

describe("a paid webhook for an attempt settled as not paid", () => {
  test("the cycle was already paid by another attempt: the late payment is refunded in full, once, with an alert", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(ctx());
    await dispatchAt(t, 61 * 60_000);
    expect((await view(t, id)).cycles[0].status).toBe("paid");

    // Attempt 1's charge lands after attempt 2 paid the cycle; its webhook comes, twice.
    control(t).setWebhookFault({ kind: "duplicate", times: 1 });
    const late = await chargeBehindOurBack(
      ctx(),
      `${id}_1_1`,
      customerUid,
      `${t.stack.apiUrl}/webhooks/iamport`,
    );
    await settle(t);
    const replay = await t.api("/webhooks/iamport", {
      body: { imp_uid: late.imp_uid, merchant_uid: `${id}_1_1`, status: "paid" },
      key: null,
    });

    expect(replay.status).toBe(200);
    const payment = control(t).payment(late.imp_uid);
    expect(payment).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });
    expect(payment?.cancel_history).toHaveLength(1);
    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 2, paid_cycles: 1 });
    expect(sub.cycles[0].attempts.map((a: { status: string }) => a.status)).toEqual(["error", "paid"]);
    expect(alerts("double_charge_refunded")).toEqual([
      expect.objectContaining({ merchant_uid: `${id}_1_1`, imp_uid: late.imp_uid, refunded: 9_900 }),
    ]);
  });

  test("the cycle still waits: the late payment is the cycle's payment, and the retry sends nothing", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(ctx());

    const late = await chargeBehindOurBack(
      ctx(),
      `${id}_1_1`,
      customerUid,
      `${t.stack.apiUrl}/webhooks/iamport`,
    );
    await settle(t);
    await dispatchAt(t, 61 * 60_000);

    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 2, paid_cycles: 1 });
    expect(sub.cycles[0].attempts).toEqual([
      expect.objectContaining({ status: "paid", imp_uid: late.imp_uid, resolved_by: "webhook" }),
    ]);
    expect(chargesOf(t, customerUid)).toHaveLength(1);
    expect(alerts("late_paid_attempt")).toHaveLength(1);
  });

  test("pause and resume never forgive a due cycle: the late payment is that cycle's, kept", async () => {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(ctx());
    expect((await t.api(`/subscriptions/${id}/pause`, { method: "POST" })).status).toBe(200);
    expect((await t.api(`/subscriptions/${id}/resume`, { method: "POST" })).status).toBe(200);
    expect(await view(t, id)).toMatchObject({ current_cycle: 1, skipped_cycles: 0 });

    const late = await chargeBehindOurBack(
      ctx(),
      `${id}_1_1`,
      customerUid,
      `${t.stack.apiUrl}/webhooks/iamport`,
    );
    await settle(t);

    expect(control(t).payment(late.imp_uid)).toMatchObject({ status: "paid", cancel_amount: 0 });
    expect(await view(t, id)).toMatchObject({ current_cycle: 2, paid_cycles: 1, status: "active" });
    expect(alerts("double_charge_refunded")).toHaveLength(0);
    expect(chargesOf(t, customerUid)).toHaveLength(1);
  });
});

describe("an attempt in flight that comes back paid for a cycle already paid", () => {
  /**
   * Attempt 1 was refused but charged; its webhook is applied as cycle 1's payment. Attempt 2 had
   * been claimed in the window between that webhook's reads and its write (the claim checks the
   * subscription's version, which a claim does not change), was sent and charged, and its worker
   * died before the answer was recorded: an open attempt carrying a second payment for cycle 1.
   */
  async function secondPaymentInFlight() {
    const t = ctx();
    const { id, customerUid } = await refusedFirstAttempt(ctx());
    const first = await chargeBehindOurBack(
      ctx(),
      `${id}_1_1`,
      customerUid,
      `${t.stack.apiUrl}/webhooks/iamport`,
    );
    await settle(t);
    expect(await view(t, id)).toMatchObject({ current_cycle: 2, paid_cycles: 1 });
    expect(alerts("late_paid_attempt")).toHaveLength(1);

    const past = new Date(Date.now() - 10 * 60_000);
    const { subscriptions } = buildContainer(parseConfig(t.stack.env), { clock: () => past });
    const sub = await subscriptions.get(id);
    const claim = newClaim(
      {
        subscriptionId: id,
        cycle: 1,
        attempt: 2,
        merchantUid: `${id}_1_2`,
        customerUid,
        amount: 9_900,
        name: "Pro plan",
      },
      past,
      120_000,
    );
    expect((await subscriptions.claim(sub!, claim)).claimed).toBe(true);
    return { t, id, customerUid, first };
  }

  async function expectRefundedOnce(t: ReturnType<typeof ctx>, id: string, first: { imp_uid: string }) {
    const second = control(t)
      .payments()
      .find((p) => p.merchant_uid === `${id}_1_2`);
    expect(second).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });
    expect(second?.cancel_history).toHaveLength(1);
    expect(control(t).payment(first.imp_uid)).toMatchObject({ status: "paid", cancel_amount: 0 });
    const sub = await view(t, id);
    expect(sub).toMatchObject({ status: "active", current_cycle: 2, paid_cycles: 1 });
    expect(sub.cycles[0]).toMatchObject({ cycle: 1, status: "paid", imp_uid: first.imp_uid });
    expect(alerts("double_charge_refunded")).toEqual([
      expect.objectContaining({ merchant_uid: `${id}_1_2`, imp_uid: second?.imp_uid, refunded: 9_900 }),
    ]);
  }

  test("the resolver looks it up and finds it paid: the second payment is refunded in full, once, with an alert", async () => {
    const { t, id, customerUid, first } = await secondPaymentInFlight();
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    const second = await chargeBehindOurBack(ctx(), `${id}_1_2`, customerUid);
    await settle(t);

    await dispatchAt(t, 0);
    await expectRefundedOnce(t, id, first);

    // A late duplicate of its webhook changes nothing.
    const replay = await t.api("/webhooks/iamport", {
      body: { imp_uid: second.imp_uid, merchant_uid: `${id}_1_2`, status: "paid" },
      key: null,
    });
    expect(replay.status).toBe(200);
    await expectRefundedOnce(t, id, first);
  });

  test("its paid webhook settles it: the second payment is refunded in full, once, with an alert", async () => {
    const { t, id, customerUid, first } = await secondPaymentInFlight();
    control(t).setWebhookFault({ kind: "duplicate", times: 1 });
    await chargeBehindOurBack(ctx(), `${id}_1_2`, customerUid, `${t.stack.apiUrl}/webhooks/iamport`);
    await settle(t);

    await expectRefundedOnce(t, id, first);
  });
});
