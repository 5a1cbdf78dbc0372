/**
 * Domain events end to end: the real API and workers write outbox items in
 * their transactions, DynamoDB Local's stream feeds the real publisher, and
 * the local bus shows what was put. Each transition publishes once; a crash
 * between the write and the publish still publishes; a refused change
 * publishes nothing.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";
import { DAY, dispatchAt, issueKey, settle, subscribe, view } from "../billing/support.js";
import { control, paidOrder, refund } from "../orders/refunds/support.js";
import { outboxItems, publishedFor } from "./support.js";

const ctx = useStack();

const summary = (events: Array<{ type: string; aggregate: { version: number }; deliveries: number }>) =>
  events.map((e) => [e.type, e.aggregate.version, e.deliveries]);

describe("events once per transition", () => {
  test("an order paid, refunded in part, then in full: order.paid, order.partially_refunded, order.refunded", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    expect((await refund(t, merchantUid, { amount: 2_000, reason: "one mug broken" })).status).toBe(201);
    expect((await refund(t, merchantUid, { reason: "all returned" })).status).toBe(201);

    const events = await publishedFor(t, merchantUid);

    expect(events.map((e) => e.type)).toEqual(["order.paid", "order.partially_refunded", "order.refunded"]);
    expect(events.every((e) => e.deliveries === 1)).toBe(true);
    const versions = events.map((e) => e.aggregate.version);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    expect(events[1]?.data).toMatchObject({
      refund_amount: 2_000,
      refunded_amount: 2_000,
      remaining_amount: 10_000,
    });
    expect(events[2]?.data).toMatchObject({ refund_amount: 10_000, remaining_amount: 0 });
    expect(events[0]?.source).toBe("kicc-iamport.local");
    // Every outbox item written was published, and nothing else was.
    expect(
      (await outboxItems(t, `ORDER#${merchantUid}`)).map((i) => (i.event as { id: string }).id).sort(),
    ).toEqual(events.map((e) => e.id).sort());
  });

  test("a virtual account: vbank.issued, then vbank.deposited with order.paid in the one change", async () => {
    const t = ctx();
    const created = await t.createOrder({ pay_method: "vbank", amount: 33_000 });
    const merchantUid = created.body.merchant_uid as string;
    const rsp = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    await control(t).flushWebhooks();
    control(t).depositVbank(rsp.imp_uid as string);
    await control(t).flushWebhooks();

    const events = await publishedFor(t, merchantUid);

    expect(events.map((e) => e.type)).toEqual(["vbank.issued", "vbank.deposited", "order.paid"]);
    expect(events[0]?.data).toMatchObject({ amount: 33_000, account_number: expect.any(String) });
    expect(events[1]?.aggregate.version).toBe(events[2]?.aggregate.version);
  });

  test("a subscription created, charged, past due on the next cycle's decline, then canceled", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const created = await subscribe(t, { customer_uid: customerUid });
    expect(created.status).toBe(201);
    await settle(t);
    const id = created.body.id as string;
    control(t).addDecline({ customer_uid: customerUid, reason: "insufficient_balance" });
    await dispatchAt(t, 32 * DAY);
    control(t).clearDeclines();
    expect((await view(t, id)).status).toBe("past_due");
    expect(
      (await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now", reason: "asked" } })).status,
    ).toBe(200);

    const events = await publishedFor(t, id);

    expect(events.map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.charged",
      "subscription.charge_failed",
      "subscription.past_due",
      "subscription.canceled",
    ]);
    expect(events.every((e) => e.deliveries === 1)).toBe(true);
    expect(events[1]?.data).toMatchObject({ charge: { cycle: 1, status: "paid", amount: 9_900 } });
    expect(events[2]?.aggregate.version).toBe(events[3]?.aggregate.version);
  });

  test("a trial with a plan change: created, plan_changed, trial_ending before the end, then charged at the new plan", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const created = await subscribe(t, { customer_uid: customerUid, trial_days: 14 });
    await settle(t);
    const id = created.body.id as string;
    const changed = await t.api(`/subscriptions/${id}/plan`, {
      body: { name: "Max", amount: 19_900, effective: "now" },
      headers: { "idempotency-key": randomUUID() },
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    await dispatchAt(t, 11 * DAY + 60_000);
    await dispatchAt(t, 14 * DAY + 60_000);

    const events = await publishedFor(t, id);

    expect(events.map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.plan_changed",
      "subscription.trial_ending",
      "subscription.charged",
    ]);
    expect(events[0]?.data).toMatchObject({ trial_ends_at: created.body.trial.ends_at });
    expect(events[1]?.data).toMatchObject({ from: { amount: 9_900 }, to: { name: "Max", amount: 19_900 } });
    expect(events[2]?.data).toMatchObject({
      trial_ends_at: created.body.trial.ends_at,
      plan: { amount: 19_900 },
    });
    expect(events[3]?.data).toMatchObject({ charge: { cycle: 1, amount: 19_900, status: "paid" } });
  });
});

describe("at least once", () => {
  test("the bus down at the first delivery: the records come again and each event is published once", async () => {
    const t = ctx();
    t.stack.events.failCalls(1);

    const { merchantUid } = await paidOrder(t);
    const events = await publishedFor(t, merchantUid);

    expect(summary(events)).toEqual([["order.paid", events[0]?.aggregate.version, 1]]);
  });

  test("the publisher's invocation crashing on the first delivery: the batch comes again, each event published once", async () => {
    const t = ctx();
    t.stack.stream.crashNext(1);

    const { merchantUid } = await paidOrder(t);
    const events = await publishedFor(t, merchantUid);

    expect(events.map((e) => [e.type, e.deliveries])).toEqual([["order.paid", 1]]);
    expect(t.stack.stream.failed).toEqual([]);
  });

  test("the publisher not running when the change commits: it publishes once it runs again", async () => {
    const t = ctx();
    await t.stack.stream.stop();
    const { merchantUid } = await paidOrder(t);
    expect(t.stack.events.events(merchantUid)).toEqual([]);
    expect(await outboxItems(t, `ORDER#${merchantUid}`)).toHaveLength(1);

    t.stack.stream.start();
    const events = await publishedFor(t, merchantUid);

    expect(events.map((e) => [e.type, e.deliveries])).toEqual([["order.paid", 1]]);
  });
});

describe("a refused change publishes nothing", () => {
  test("six doors racing to verify one payment (a loser of the conditional write re-reads and writes nothing): order.paid once", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const paid = control(t).pay({ ...created.body.request_pay, outcome: "approve" });
    const door = (i: number) =>
      i % 2
        ? t.api("/payments/complete", {
            body: { imp_uid: paid.imp_uid, merchant_uid: merchantUid },
            key: null,
          })
        : t.api(`/payments/complete/mobile?imp_uid=${paid.imp_uid}&merchant_uid=${merchantUid}`, {
            key: null,
          });

    await Promise.all([...Array.from({ length: 6 }, (_, i) => door(i)), control(t).flushWebhooks()]);
    const events = await publishedFor(t, merchantUid);

    expect(events.map((e) => [e.type, e.deliveries])).toEqual([["order.paid", 1]]);
    expect(await outboxItems(t, `ORDER#${merchantUid}`)).toHaveLength(1);
  });

  test("a refund over the balance (409) and a create that loses to the existing order add no outbox item", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    const before = await outboxItems(t, `ORDER#${merchantUid}`);

    const over = await refund(t, merchantUid, { amount: 999_999, reason: "too much" });
    const again = await t.createOrder({ merchant_uid: merchantUid, amount: 5_000 });

    expect(over.status).toBeGreaterThanOrEqual(400);
    expect(over.status).toBeLessThan(500);
    expect(again.status).toBe(409);
    expect(await outboxItems(t, `ORDER#${merchantUid}`)).toEqual(before);
    expect((await publishedFor(t, merchantUid)).map((e) => e.type)).toEqual(["order.paid"]);
  });
});
