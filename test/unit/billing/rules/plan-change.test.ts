import { describe, expect, test } from "vitest";
import { cycleStart } from "../../../../lib/billing/rules/calendar.js";
import { changePlan } from "../../../../lib/billing/rules/plan-change.js";
import {
  applyChargeOutcome,
  type CycleOutcome,
  pause,
  resume,
  type Transition,
} from "../../../../lib/billing/rules/subscription-machine.js";
import type { Subscription } from "../../../../lib/billing/subscription.js";
import { anchor, DAY, ID, policy, subscription } from "../fixtures.js";

const due = cycleStart(anchor, 2); // 2026-02-28 10:00 KST
const at = (ms: number) => new Date(due.getTime() + ms);
const basic = { name: "Basic", amount: 4_900 };

function changed(t: Transition): Subscription {
  if (t.kind !== "change") throw new Error(`expected a change, got ${t.kind}: ${t.reason}`);
  return t.next;
}
const paid = (cycle: number, attempt = 1): CycleOutcome => ({
  kind: "paid",
  cycle,
  attempt,
  merchantUid: `${ID}_${cycle}_${attempt}`,
  impUid: `imp_${cycle}_${attempt}`,
});
const declined = (cycle: number, attempt = 1): CycleOutcome => ({
  kind: "declined",
  cycle,
  attempt,
  merchantUid: `${ID}_${cycle}_${attempt}`,
  severity: "soft",
  reason: "[8324] 한도초과",
});

describe("a plan change from the next cycle", () => {
  test("before the waited-on cycle is due: that cycle is the next one, so the plan is replaced at once", () => {
    const sub = subscription(); // waits on cycle 2, due at `due`

    const next = changed(changePlan(sub, { ...basic, effective: "next_cycle" }, at(-DAY)));

    expect(next.plan).toEqual({ name: "Basic", amount: 4_900, interval: "month" });
    expect(next.pendingPlan).toBeUndefined();
    expect(next.version).toBe(sub.version + 1);
    // The calendar and the charge it waits on do not move.
    expect([next.cycle, next.attempt, next.nextChargeAt]).toEqual([2, 1, sub.nextChargeAt]);
  });

  test("once the waited-on cycle is due (being charged or retried): it keeps the old plan, the new one is pending", () => {
    const sub = subscription();

    const next = changed(changePlan(sub, { ...basic, effective: "next_cycle" }, at(60_000)));

    expect(next.plan.amount).toBe(9_900);
    expect(next.pendingPlan).toEqual({
      name: "Basic",
      amount: 4_900,
      fromCycle: 3,
      requestedAt: at(60_000).toISOString(),
    });
    expect([next.cycle, next.attempt, next.nextChargeAt]).toEqual([2, 1, sub.nextChargeAt]);
  });

  test("the pending plan becomes the plan when the owed cycle is paid, and only then", () => {
    const pending = changed(changePlan(subscription(), { ...basic, effective: "next_cycle" }, at(60_000)));

    const afterDecline = changed(applyChargeOutcome(pending, declined(2), policy, at(120_000)));
    expect(afterDecline.plan.amount).toBe(9_900);
    expect(afterDecline.pendingPlan?.fromCycle).toBe(3);

    const afterPay = changed(applyChargeOutcome(afterDecline, paid(2, 2), policy, at(DAY)));
    expect(afterPay.cycle).toBe(3);
    expect(afterPay.plan).toEqual({ name: "Basic", amount: 4_900, interval: "month" });
    expect(afterPay.pendingPlan).toBeUndefined();
  });

  test("past due: the owed cycle is retried at the old amount; the new plan starts with the cycle after it", () => {
    const pastDue = changed(applyChargeOutcome(subscription(), declined(2), policy, at(1_000)));

    const next = changed(changePlan(pastDue, { ...basic, effective: "next_cycle" }, at(2_000)));

    expect(next.status).toBe("past_due");
    expect(next.plan.amount).toBe(9_900);
    expect(next.pendingPlan?.fromCycle).toBe(3);
    expect(next.nextChargeAt).toBe(pastDue.nextChargeAt);
    expect(next.dunning).toEqual(pastDue.dunning);
  });

  test("asking for the current plan withdraws a pending change; asking again for the pending one changes nothing", () => {
    const pending = changed(changePlan(subscription(), { ...basic, effective: "next_cycle" }, at(60_000)));

    expect(changePlan(pending, { ...basic, effective: "next_cycle" }, at(70_000)).kind).toBe("none");
    const withdrawn = changed(
      changePlan(pending, { name: "Pro", amount: 9_900, effective: "next_cycle" }, at(80_000)),
    );
    expect(withdrawn.pendingPlan).toBeUndefined();
    expect(withdrawn.plan.amount).toBe(9_900);
  });
});

describe("a plan change now (no proration)", () => {
  test("the waited-on cycle's next attempt is charged at the new amount; nothing is charged or refunded for the running period", () => {
    const sub = subscription({ paidThrough: due.toISOString() });

    const next = changed(changePlan(sub, { ...basic, effective: "now" }, at(60_000)));

    expect(next.plan.amount).toBe(4_900);
    expect(next.pendingPlan).toBeUndefined();
    expect([next.cycle, next.attempt, next.nextChargeAt, next.paidThrough]).toEqual([
      2,
      1,
      sub.nextChargeAt,
      sub.paidThrough,
    ]);
  });

  test("past due: the retries of the owed cycle charge the new amount (a downgrade can rescue a declining card)", () => {
    const pastDue = changed(applyChargeOutcome(subscription(), declined(2), policy, at(1_000)));

    const next = changed(changePlan(pastDue, { ...basic, effective: "now" }, at(2_000)));

    expect([next.status, next.cycle, next.attempt]).toEqual(["past_due", 2, 2]);
    expect(next.plan.amount).toBe(4_900);
    expect(next.dunning).toEqual(pastDue.dunning);
  });

  test("a change now replaces a pending one", () => {
    const pending = changed(changePlan(subscription(), { ...basic, effective: "next_cycle" }, at(60_000)));

    const next = changed(changePlan(pending, { name: "Team", amount: 29_000, effective: "now" }, at(70_000)));

    expect(next.plan).toEqual({ name: "Team", amount: 29_000, interval: "month" });
    expect(next.pendingPlan).toBeUndefined();
  });

  test("the same plan again changes nothing", () => {
    expect(changePlan(subscription(), { name: "Pro", amount: 9_900, effective: "now" }, at(0)).kind).toBe(
      "none",
    );
  });
});

describe("paused, canceled, ending", () => {
  test("paused: the change is kept; resuming past skipped cycles starts on the new plan", () => {
    // Paused before cycle 2 was due, the change asked for after: cycle 2 was due, so the plan is pending.
    const paused = changed(pause(subscription(), at(-DAY)));
    const next = changed(changePlan(paused, { ...basic, effective: "next_cycle" }, at(DAY)));
    expect(next.status).toBe("paused");
    expect(next.pendingPlan?.fromCycle).toBe(3);

    // Resumed two months on: cycles 2 and 3 are skipped, cycle 4 is the first charged, at the new plan.
    const resumed = changed(resume(next, new Date(cycleStart(anchor, 3).getTime() + DAY)));
    expect(resumed.cycle).toBe(4);
    expect(resumed.plan.amount).toBe(4_900);
    expect(resumed.pendingPlan).toBeUndefined();
  });

  test("paused with a cycle owed from before the pause: the owed cycle keeps its plan, the one after it is new", () => {
    const owed = changed(applyChargeOutcome(subscription(), declined(2), policy, at(1_000)));
    const paused = {
      ...owed,
      status: "paused" as const,
      pausedAt: at(2_000).toISOString(),
      nextChargeAt: null,
    };
    const next = changed(changePlan(paused, { ...basic, effective: "next_cycle" }, at(3_000)));

    const resumed = changed(resume(next, at(4_000)));
    expect([resumed.cycle, resumed.plan.amount]).toEqual([2, 9_900]);
    const afterPay = changed(applyChargeOutcome(resumed, paid(2, 2), policy, at(5_000)));
    expect([afterPay.cycle, afterPay.plan.amount]).toEqual([3, 4_900]);
  });

  test("canceled, or canceling at period end: refused (there is no next cycle to change)", () => {
    const canceled = subscription({ status: "canceled", nextChargeAt: null });
    const ending = subscription({ cancelAtPeriodEnd: true });

    expect(changePlan(canceled, { ...basic, effective: "now" }, at(0)).kind).toBe("refuse");
    expect(changePlan(ending, { ...basic, effective: "next_cycle" }, at(0)).kind).toBe("refuse");
  });
});
