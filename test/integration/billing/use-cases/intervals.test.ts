/**
 * Plans every N days or weeks (and N months) on the KST calendar, against the
 * real stack: each cycle falls due exactly N periods after the first charge,
 * at the same KST minute, and is charged once. Later cycles are reached with
 * the dispatcher's clock ahead.
 */
import { describe, expect, test } from "vitest";
import { useStack } from "../../../support/stack.js";
import { chargesOf, DAY, dispatchAt, issueKey, subscribe, subscribed, view } from "../support.js";

const ctx = useStack();

describe("every N days or weeks", () => {
  test("every 2 weeks: cycles 14 days apart, each charged once, nothing early", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t, {
      plan: { name: "Fortnightly beans", amount: 12_000, interval: "week", interval_count: 2 },
    });

    const created = await view(t, id);
    const early = await dispatchAt(t, 13 * DAY);
    await dispatchAt(t, 14 * DAY + 60_000);
    await dispatchAt(t, 28 * DAY + 60_000);
    const after = await view(t, id);

    expect(created.plan).toEqual({
      name: "Fortnightly beans",
      amount: 12_000,
      interval: "week",
      interval_count: 2,
    });
    expect(created.billing).toMatchObject({ interval: "week", interval_count: 2 });
    expect(Date.parse(created.next_charge_at) - Date.parse(created.cycles[0].period_start)).toBe(14 * DAY);
    expect(early.queued).toBe(0);
    expect(after).toMatchObject({ current_cycle: 4, paid_cycles: 3, status: "active" });
    const starts = after.cycles.map((c: any) => Date.parse(c.period_start));
    expect(starts.slice(1).map((s: number, i: number) => s - (starts[i] as number))).toEqual([
      14 * DAY,
      14 * DAY,
      14 * DAY,
    ]);
    expect(
      chargesOf(t, customerUid)
        .filter((p) => p.status === "paid")
        .map((p) => p.merchant_uid)
        .sort(),
    ).toEqual([`${id}_1_1`, `${id}_2_1`, `${id}_3_1`]);
  });

  test("every 3 days, after a 2-day trial: the first charge at the trial's end, then every 3 days", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const res = await subscribe(t, {
      customer_uid: customerUid,
      trial_days: 2,
      plan: { name: "Daily news", amount: 1_000, interval: "day", interval_count: 3 },
    });
    const id = res.body.id as string;

    await dispatchAt(t, 2 * DAY + 60_000);
    await dispatchAt(t, 5 * DAY + 60_000);

    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const after = await view(t, id);
    expect(after).toMatchObject({ current_cycle: 3, paid_cycles: 2 });
    expect(Date.parse(after.next_charge_at) - Date.parse(res.body.trial.ends_at)).toBe(6 * DAY);
    expect(chargesOf(t, customerUid).filter((p) => p.status === "paid")).toHaveLength(2);
  });

  test("a count past the interval's bound, or anchor_day on a weekly plan, is a 400 naming the field", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ plan: { name: "x", amount: 1_000, interval: "week", interval_count: 53 } }, "plan.interval_count"],
      [{ plan: { name: "x", amount: 1_000, interval: "year", interval_count: 4 } }, "plan.interval_count"],
      [{ plan: { name: "x", amount: 1_000, interval: "day", interval_count: 0 } }, "plan.interval_count"],
      [{ plan: { name: "x", amount: 1_000, interval: "fortnight" } }, "plan.interval"],
      [{ plan: { name: "x", amount: 1_000, interval: "week" }, anchor_day: 5 }, "anchor_day"],
    ];
    for (const [body, field] of cases) {
      const res = await subscribe(t, { customer_uid: customerUid, ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.issues.map((i: any) => i.field),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    expect(chargesOf(t, customerUid)).toEqual([]);
  });
});
