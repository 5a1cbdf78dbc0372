/**
 * The subscription rules over any order of charge outcomes (fast-check): the
 * outcomes of one cycle's attempts (a decline, a refusal, a payment, each
 * maybe reported twice, by the answer, a lookup and a webhook) end where the
 * straight sequence ends whatever order they arrive in; paid cycles and the
 * paid period never move backwards; a canceled subscription stays canceled.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { cycleStart } from "../../../../lib/billing/rules/calendar.js";
import { applyChargeOutcome, type CycleOutcome } from "../../../../lib/billing/rules/subscription-machine.js";
import type { Subscription } from "../../../../lib/billing/subscription.js";
import { DAY, ID, policy, subscription } from "../fixtures.js";

const base = subscription({}, 2);
const at = (n: number) => new Date(cycleStart(base.anchor, 2).getTime() + n * DAY);

/** Attempt n of cycle 2 failed (soft, hard or refused) for attempts before `paidAt`; attempt `paidAt` paid. */
const outcomes = fc
  .record({
    failures: fc.array(fc.constantFrom("soft", "hard", "error"), { maxLength: 3 }),
    paid: fc.boolean(),
  })
  .map(({ failures, paid }) => {
    const list: CycleOutcome[] = failures.map((kind, i) => {
      const common = { cycle: 2, attempt: i + 1, merchantUid: `${ID}_2_${i + 1}`, reason: "why" };
      return kind === "error"
        ? { ...common, kind: "error" as const }
        : { ...common, kind: "declined" as const, severity: kind as "soft" | "hard" };
    });
    if (paid) {
      const n = failures.length + 1;
      list.push({ kind: "paid", cycle: 2, attempt: n, merchantUid: `${ID}_2_${n}`, impUid: "imp_1" });
    }
    return list;
  });

function fold(sub: Subscription, sequence: CycleOutcome[]): Subscription[] {
  const trail = [sub];
  let current = sub;
  for (const [i, outcome] of sequence.entries()) {
    const t = applyChargeOutcome(current, outcome, policy, at(i));
    if (t.kind === "change") {
      current = t.next;
      trail.push(current);
    }
  }
  return trail;
}

const arrivals = (list: CycleOutcome[]) =>
  fc
    .array(fc.constantFrom(...list), { maxLength: list.length * 2 })
    .map((dupes) => [...list, ...dupes])
    .chain((all) => fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));

describe("the subscription rules, any order of outcomes", () => {
  test("a paid cycle is paid once, whatever order its attempts' outcomes arrive in", () => {
    fc.assert(
      fc.property(
        outcomes.filter((l) => l.some((o) => o.kind === "paid")),
        (list) => {
          const straight = fold(base, list).at(-1) as Subscription;
          fc.assert(
            fc.property(arrivals(list), (sequence) => {
              const end = fold(base, sequence).at(-1) as Subscription;
              expect({
                status: end.status,
                cycle: end.cycle,
                paid: end.paidCycles,
                through: end.paidThrough,
              }).toEqual({
                status: straight.status,
                cycle: straight.cycle,
                paid: straight.paidCycles,
                through: straight.paidThrough,
              });
              expect(end.paidCycles).toBe(base.paidCycles + 1);
            }),
            { numRuns: 30 },
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test("paid cycles and the paid period never move backwards; canceled stays canceled", () => {
    fc.assert(
      fc.property(
        outcomes.filter((l) => l.length > 0).chain(arrivals),
        fc.boolean(),
        (sequence, canceled) => {
          const start = canceled ? { ...base, status: "canceled" as const, nextChargeAt: null } : base;
          const trail = fold(start, sequence);
          for (let i = 1; i < trail.length; i++) {
            const [before, after] = [trail[i - 1] as Subscription, trail[i] as Subscription];
            expect(after.paidCycles).toBeGreaterThanOrEqual(before.paidCycles);
            expect(Date.parse(after.paidThrough ?? "0") || 0).toBeGreaterThanOrEqual(
              Date.parse(before.paidThrough ?? "0") || 0,
            );
            expect(after.cycle).toBeGreaterThanOrEqual(before.cycle);
            if (before.status === "canceled") expect(after.status).toBe("canceled");
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
