/**
 * Refund owed events end to end: a second deposit into one virtual-account
 * order, and a surplus charge on a canceled subscription, through the real
 * handlers, DynamoDB Local's stream, the real publisher and the sandbox. Each
 * state the refund enters is published once, as the bus received it; an
 * executor run that writes nothing (a lost conditional write, a re-run)
 * publishes nothing.
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { payOwedRefund } from "../../../lib/ledger/pay-owed-refund.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { useStack } from "../../support/stack.js";
import { chargeBehindOurBack, claimInFlight, settle, subscribed, view } from "../billing/support.js";
import {
  control,
  order,
  reconcileAt,
  refund,
  refundAccount,
  runReconcileHandler,
} from "../orders/refunds/support.js";
import { outboxItems, publishedFor } from "./support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error", BILLING_UNKNOWN_SETTLE_SECONDS: "1" } });

const summary = (events: Array<{ type: string; aggregate: { version: number }; deliveries: number }>) =>
  events.map((e) => [e.type, e.aggregate.version, e.deliveries]);

/** A vbank order whose buyer opened the window twice and deposited into both accounts. */
async function doubleDeposit() {
  const t = ctx();
  const created = await t.createOrder({ pay_method: "vbank", amount: 12_000 });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const pay = () => control(t).pay({ ...created.body.request_pay, outcome: "approve" }).imp_uid as string;
  const first = pay();
  await control(t).flushWebhooks();
  const second = pay();
  await control(t).flushWebhooks();
  control(t).depositVbank(first);
  await control(t).flushWebhooks();
  control(t).depositVbank(second);
  await control(t).flushWebhooks();
  return { t, merchantUid: created.body.merchant_uid as string, second };
}

describe("refund owed events", () => {
  test("a second deposit: refund_owed.decided, then needs_account; the account given: refunded; each once", async () => {
    const { t, merchantUid, second } = await doubleDeposit();
    const waiting = await publishedFor(t, second);
    expect(summary(waiting)).toEqual([
      ["refund_owed.decided", 1, 1],
      ["refund_owed.needs_account", 2, 1],
    ]);
    expect(waiting[0]?.data).toMatchObject({
      imp_uid: second,
      merchant_uid: merchantUid,
      owner: { type: "order", id: merchantUid },
      amount: 12_000,
      reason: "second_payment",
      state: "pending",
    });
    expect(waiting[1]?.data).toMatchObject({
      state: "needs_account",
      missing: ["refund_holder", "refund_bank", "refund_account"],
    });

    // A lost conditional write: an executor holding a stale copy (due, pending) loses to the stored one and
    // writes nothing; nor does the reconciler's re-check while the refund waits for the account.
    const deps = buildContainer(parseConfig(t.stack.env)).verifyDeps;
    const stored = await deps.owedRefunds.get({ kind: "order", merchantUid }, second);
    if (!stored) throw new Error("the refund owed is not stored");
    const stale = { ...stored, state: "pending" as const, version: 1, checkAfter: new Date(0).toISOString() };
    expect(await payOwedRefund(deps, stale)).toMatchObject({
      state: "needs_account",
      version: stored.version,
    });
    await reconcileAt(t, 0.1);
    expect(summary(await publishedFor(t, second))).toEqual(summary(waiting));

    const given = await refund(t, merchantUid, {
      reason: "double deposit",
      imp_uid: second,
      ...refundAccount,
    });
    expect(given.status, JSON.stringify(given.body)).toBe(201);
    await runReconcileHandler(t); // a re-run after it is done
    const events = await publishedFor(t, second);
    expect(events.map((e) => [e.type, e.deliveries])).toEqual([
      ["refund_owed.decided", 1],
      ["refund_owed.needs_account", 1],
      ["refund_owed.refunded", 1],
    ]);
    expect(events[2]?.data).toMatchObject({ state: "done", refunded_amount: 12_000, tries: 1 });
    // The outbox items sit in the order's partition (the ops timeline lists them), and nothing else was put.
    const inOrder = (await outboxItems(t, `ORDER#${merchantUid}`)).map(
      (i) => i.event as { id: string; type: string },
    );
    expect(
      inOrder
        .filter((e) => e.type.startsWith("refund_owed."))
        .map((e) => e.id)
        .sort(),
    ).toEqual(events.map((e) => e.id).sort());
    // The order itself publishes no refund: it kept the first payment.
    expect((await order(t, merchantUid)).status).toBe("paid");
    expect((await publishedFor(t, merchantUid)).map((e) => e.type)).not.toContain("order.refunded");
    // The order's own list (its page, `GET /__local/events?aggregate=`) has the refunds it owns.
    const listed = (await publishedFor(t, merchantUid)).filter((e) => e.type.startsWith("refund_owed."));
    expect(listed.map((e) => e.id)).toEqual(events.map((e) => e.id));
  });

  test("a surplus charge: refund_owed.decided and refund_owed.refunded once each, in the subscription's partition", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);
    // Cycle 2's attempt is in flight when the subscription is canceled; the PG charged it after all.
    await claimInFlight(t, { id, cycle: 2, attempt: 1, customerUid });
    expect((await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } })).status).toBe(200);
    const late = await chargeBehindOurBack(t, `${id}_2_1`, customerUid, `${t.stack.apiUrl}/webhooks/iamport`);
    await settle(t);
    await runReconcileHandler(t);
    await runReconcileHandler(t); // a re-run: nothing more
    expect((await view(t, id)).refunds_owed).toEqual([expect.objectContaining({ state: "done" })]);

    const events = await publishedFor(t, late.imp_uid);
    expect(events.map((e) => [e.type, e.deliveries])).toEqual([
      ["refund_owed.decided", 1],
      ["refund_owed.refunded", 1],
    ]);
    expect(events[0]?.data).toMatchObject({
      reason: "surplus",
      amount: 9_900,
      owner: { type: "subscription", id, cycle: 2, attempt: 1 },
    });
    const inSub = (await outboxItems(t, `SUB#${id}`)).map((i) => i.event as { type: string });
    expect(inSub.filter((e) => e.type.startsWith("refund_owed."))).toHaveLength(2);
  });
});
