/**
 * Free trials against the real stack: the key is verified at iamport when the
 * subscription is created, nothing is charged until the trial ends, the
 * dispatcher records the trial-ending notice the configured days before
 * (BILLING_TRIAL_NOTICE_DAYS, 3 by default), and a cancel in the trial
 * charges nothing ever. Later cycles are reached with the dispatcher's clock ahead.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { toKst } from "../../../../lib/billing/rules/calendar.js";
import { useStack } from "../../../support/stack.js";
import { chargesOf, DAY, dispatchAt, issueKey, settle, subscribe, view } from "../support.js";

const ctx = useStack();

describe("a 14-day trial", () => {
  test("verified at once, nothing charged in the trial, the notice 3 days before, then a cycle a month", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);

    const created = await subscribe(t, { customer_uid: customerUid, trial_days: 14 });
    await settle(t);
    const id = created.body.id as string;
    const endsAt = Date.parse(created.body.trial.ends_at);
    const beforeNotice = await dispatchAt(t, 11 * DAY - 60_000);
    const atNotice = await dispatchAt(t, 11 * DAY + 60_000);
    const inTrial = await view(t, id);
    await dispatchAt(t, 14 * DAY + 60_000);
    const first = await view(t, id);
    await dispatchAt(t, 14 * DAY + 32 * DAY);

    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ status: "active", paid_through: null, current_cycle: 1 });
    // 14 days on, at the start of that minute (the anchor's): cycles are due on the minute.
    const short = 14 * DAY - (endsAt - Date.parse(created.body.created_at));
    expect(short).toBeGreaterThanOrEqual(0);
    expect(short).toBeLessThan(60_000);
    expect(created.body.next_charge_at).toBe(created.body.trial.ends_at);
    expect(created.body.billing.anchor_day).toBe(toKst(new Date(endsAt)).day);
    expect([beforeNotice.noticed, beforeNotice.queued, atNotice.noticed, atNotice.queued]).toEqual([
      0, 0, 1, 0,
    ]);
    expect(inTrial.trial.noticed_at).not.toBeNull();
    expect(inTrial.history.map((e: any) => e.reason)).toContainEqual(
      expect.stringMatching(/^trial ends at .*; cycle 1 \(9900 KRW\) is charged then$/),
    );
    expect(first).toMatchObject({ status: "active", paid_cycles: 1, current_cycle: 2 });
    expect(Date.parse(first.paid_through)).toBeGreaterThan(endsAt);
    const charges = chargesOf(t, customerUid).filter((p) => p.status === "paid");
    expect(charges.map((p) => [p.merchant_uid, p.amount])).toEqual([
      [`${id}_1_1`, 9_900],
      [`${id}_2_1`, 9_900],
    ]);
  });

  test("canceled in the trial (at period end or now): canceled at once, nothing is ever charged", async () => {
    const t = ctx();
    const keys = [await issueKey(t), await issueKey(t)];
    const ids: string[] = [];
    for (const customerUid of keys) {
      const res = await subscribe(t, { customer_uid: customerUid, trial_days: 7 });
      ids.push(res.body.id as string);
    }

    const ended = [
      await t.api(`/subscriptions/${ids[0]}/cancel`, { body: { at: "period_end" } }),
      await t.api(`/subscriptions/${ids[1]}/cancel`, { body: { at: "now" } }),
    ];
    await dispatchAt(t, 8 * DAY);
    await dispatchAt(t, 40 * DAY);

    for (const res of ended) expect(res.body).toMatchObject({ status: "canceled", next_charge_at: null });
    for (const customerUid of keys) expect(chargesOf(t, customerUid)).toEqual([]);
  });

  test("a plan change in the trial: cycle 1, charged at the trial's end, is at the new plan", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const created = await subscribe(t, { customer_uid: customerUid, trial_days: 3 });
    const id = created.body.id as string;

    const changed = await t.api(`/subscriptions/${id}/plan`, {
      body: { name: "Basic plan", amount: 4_900, effective: "next_cycle" },
      headers: { "idempotency-key": randomUUID() },
    });
    await dispatchAt(t, 3 * DAY + 60_000);

    expect(changed.body).toMatchObject({ plan: { amount: 4_900 }, pending_plan: null });
    expect(chargesOf(t, customerUid).map((p) => [p.status, p.amount])).toEqual([["paid", 4_900]]);
  });
});

describe("what a trial refuses", () => {
  test("a key iamport does not know is refused at once; trial_days out of range or beside start_at/anchor_day is a 400", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ customer_uid: "cu_nobody_has_this", trial_days: 14 }, "customer_uid"],
      [{ customer_uid: customerUid, trial_days: 0 }, "trial_days"],
      [{ customer_uid: customerUid, trial_days: 1.5 }, "trial_days"],
      [{ customer_uid: customerUid, trial_days: 366 }, "trial_days"],
      [{ customer_uid: customerUid, trial_days: 14, anchor_day: 1 }, "trial_days"],
      [
        { customer_uid: customerUid, trial_days: 14, start_at: new Date(Date.now() + DAY).toISOString() },
        "trial_days",
      ],
    ];
    for (const [body, field] of cases) {
      const res = await subscribe(t, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.issues.map((i: any) => i.field),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    expect(chargesOf(t, customerUid)).toEqual([]);
  });
});
