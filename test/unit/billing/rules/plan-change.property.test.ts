/**
 * Plan changes for any subscription state and any sequence of changes
 * (fast-check): a change never moves the calendar, the cycle or attempt
 * waited on, the due date or dunning, so it can neither skip a cycle nor start
 * a second charge of one; and the plan a cycle is charged at is the last one
 * asked for before it fell due.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { cycleStart } from "../../../../lib/billing/rules/calendar.js";
import { changePlan } from "../../../../lib/billing/rules/plan-change.js";
import { applyChargeOutcome } from "../../../../lib/billing/rules/subscription-machine.js";
import type { Subscription } from "../../../../lib/billing/subscription.js";
import { anchor, DAY, ID, policy, subscription } from "../fixtures.js";

const statusArb = fc.constantFrom(
  "active" as const,
  "past_due" as const,
  "paused" as const,
  "unpaid" as const,
);
const changeArb = fc.record({
  amount: fc.integer({ min: 1, max: 5 }).map((n) => n * 1_000),
  effective: fc.constantFrom("now" as const, "next_cycle" as const),
  // Offset from the waited-on cycle's due date: before it (not due yet) or after it (due).
  offset: fc.integer({ min: -20 * DAY, max: 20 * DAY }),
});

describe("plan changes", () => {
  test("never move the cycle, attempt, due date, dunning or paid period", () => {
    fc.assert(
      fc.property(
        statusArb,
        fc.integer({ min: 2, max: 20 }),
        fc.array(changeArb, { maxLength: 6 }),
        (status, cycle, changes) => {
          let sub: Subscription = subscription({ status, attempt: status === "active" ? 1 : 2 }, cycle);
          const fixed = (s: Subscription) => [
            s.status,
            s.cycle,
            s.attempt,
            s.nextChargeAt,
            s.dunning,
            s.paidThrough,
            s.anchor,
          ];
          const before = fixed(sub);
          const due = cycleStart(anchor, cycle).getTime();
          for (const change of changes) {
            const t = changePlan(
              sub,
              { name: `Plan ${change.amount}`, amount: change.amount, effective: change.effective },
              new Date(due + change.offset),
            );
            if (t.kind === "change") sub = t.next;
            expect(fixed(sub)).toEqual(before);
            if (sub.pendingPlan) expect(sub.pendingPlan.fromCycle).toBe(cycle + 1);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  test("the waited-on cycle and the next one are charged at the plans the rules give, each exactly once", () => {
    fc.assert(
      fc.property(fc.array(changeArb, { minLength: 1, maxLength: 6 }), (changes) => {
        let sub = subscription({}, 2);
        const due = cycleStart(anchor, 2).getTime();
        // What a person expects: before the cycle is due every change counts for it; after, only `now` does.
        let expected2 = sub.plan.amount;
        let expected3 = sub.plan.amount;
        for (const change of [...changes].sort((a, b) => a.offset - b.offset)) {
          const t = changePlan(
            sub,
            { name: `Plan ${change.amount}`, amount: change.amount, effective: change.effective },
            new Date(due + change.offset),
          );
          if (t.kind === "change") sub = t.next;
          if (change.offset < 0 || change.effective === "now") expected2 = change.amount;
          expected3 = change.amount;
        }
        // Cycle 2 is claimed with sub.plan; once paid, cycle 3 with the plan then.
        expect(sub.plan.amount).toBe(expected2);
        const paid = applyChargeOutcome(
          sub,
          { kind: "paid", cycle: 2, attempt: 1, merchantUid: `${ID}_2_1`, impUid: "imp_2" },
          policy,
          new Date(due + 21 * DAY),
        );
        if (paid.kind !== "change") throw new Error(paid.reason);
        expect([paid.next.cycle, paid.next.plan.amount, paid.next.pendingPlan]).toEqual([
          3,
          expected3,
          undefined,
        ]);
      }),
      { numRuns: 2000 },
    );
  });
});
