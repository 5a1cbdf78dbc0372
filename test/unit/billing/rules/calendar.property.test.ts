/**
 * The billing calendar and pause/resume, for any anchor (fast-check): cycle
 * dates strictly increase, keep the anchor's minute, land on the anchor day or
 * the month's last day and come back after short months; a yearly plan on
 * Feb 29 bills Feb 28 and comes back; resume skips exactly the cycles dated
 * inside the pause and never one that was due before it.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  type BillingAnchor,
  cycleStart,
  daysInMonth,
  firstCycleAtOrAfter,
  toKst,
} from "../../../../lib/billing/rules/calendar.js";
import { pause, resume } from "../../../../lib/billing/rules/subscription-machine.js";
import { subscription } from "../fixtures.js";

const anchorArb = fc.record({
  interval: fc.constantFrom("month" as const, "year" as const),
  year: fc.integer({ min: 2000, max: 2090 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 31 }),
  minute: fc.integer({ min: 0, max: 1439 }),
});

const DAY_MS = 86_400_000;

/** Every N days or weeks from a real KST date (the day must exist in its month). */
const dayAnchorArb = fc
  .record({
    interval: fc.constantFrom("day" as const, "week" as const),
    count: fc.integer({ min: 1, max: 52 }),
    year: fc.integer({ min: 2000, max: 2090 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    minute: fc.integer({ min: 0, max: 1439 }),
  })
  .map((a) => a as BillingAnchor);

/** Every N months or years. */
const monthAnchorArb = fc
  .record({
    interval: fc.constantFrom("month" as const, "year" as const),
    count: fc.integer({ min: 1, max: 12 }),
    year: fc.integer({ min: 2000, max: 2090 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    minute: fc.integer({ min: 0, max: 1439 }),
  })
  // At most 3 years per cycle (MAX_INTERVAL_COUNT).
  .map((a) => ({ ...a, count: a.interval === "year" ? 1 + (a.count % 3) : a.count }) as BillingAnchor);

function kstMonthOf(anchor: BillingAnchor, cycle: number) {
  const months = (anchor.interval === "month" ? cycle - 1 : 12 * (cycle - 1)) * (anchor.count ?? 1);
  const index = anchor.year * 12 + (anchor.month - 1) + months;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

describe("the billing calendar", () => {
  test("dates strictly increase, on the anchor day (or the month's last) at the anchor minute", () => {
    fc.assert(
      fc.property(anchorArb, fc.integer({ min: 1, max: 60 }), (anchor, cycles) => {
        let previous = -Infinity;
        for (let n = 1; n <= cycles; n++) {
          const start = cycleStart(anchor, n);
          expect(start.getTime()).toBeGreaterThan(previous);
          previous = start.getTime();
          const kst = toKst(start);
          const { year, month } = kstMonthOf(anchor, n);
          expect(kst).toEqual({
            year,
            month,
            day: Math.min(anchor.day, daysInMonth(year, month)),
            minute: anchor.minute,
          });
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("a yearly plan on Feb 29 bills Feb 28 in common years and Feb 29 again in leap years", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2080 }).filter((y) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)),
        fc.integer({ min: 0, max: 1439 }),
        (year, minute) => {
          const anchor: BillingAnchor = { interval: "year", year, month: 2, day: 29, minute };
          for (let n = 1; n <= 9; n++) {
            const kst = toKst(cycleStart(anchor, n));
            expect(kst.month).toBe(2);
            expect(kst.day).toBe(daysInMonth(kst.year, 2));
          }
        },
      ),
    );
  });
});

describe("every N days, weeks, months or years", () => {
  test("N days or weeks: exactly N × 1 or 7 KST days apart, at the anchor minute, from the anchor date", () => {
    fc.assert(
      fc.property(dayAnchorArb, fc.integer({ min: 1, max: 80 }), (anchor, cycles) => {
        const period = (anchor.count ?? 1) * (anchor.interval === "week" ? 7 : 1) * DAY_MS;
        expect(toKst(cycleStart(anchor, 1))).toEqual({
          year: anchor.year,
          month: anchor.month,
          day: anchor.day,
          minute: anchor.minute,
        });
        for (let n = 2; n <= cycles; n++) {
          const start = cycleStart(anchor, n);
          // KST has no daylight saving time: a KST day is always 24 hours, so the gap is exact.
          expect(start.getTime() - cycleStart(anchor, n - 1).getTime()).toBe(period);
          expect(toKst(start).minute).toBe(anchor.minute);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("N months or years: N months (or 12 N) apart, on the anchor day or the month's last, and back after short months", () => {
    fc.assert(
      fc.property(monthAnchorArb, fc.integer({ min: 1, max: 40 }), (anchor, cycles) => {
        let previous = -Infinity;
        for (let n = 1; n <= cycles; n++) {
          const start = cycleStart(anchor, n);
          expect(start.getTime()).toBeGreaterThan(previous);
          previous = start.getTime();
          const { year, month } = kstMonthOf(anchor, n);
          expect(toKst(start)).toEqual({
            year,
            month,
            day: Math.min(anchor.day, daysInMonth(year, month)),
            minute: anchor.minute,
          });
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("the first cycle at or after any instant is exactly that: no cycle between it and the instant", () => {
    fc.assert(
      fc.property(
        fc.oneof(dayAnchorArb, monthAnchorArb),
        fc.integer({ min: -40 * DAY_MS, max: 3 * 365 * DAY_MS }),
        (anchor, offset) => {
          const instant = new Date(cycleStart(anchor, 1).getTime() + offset);
          const cycle = firstCycleAtOrAfter(anchor, instant);

          expect(cycleStart(anchor, cycle).getTime()).toBeGreaterThanOrEqual(instant.getTime());
          if (cycle > 1) expect(cycleStart(anchor, cycle - 1).getTime()).toBeLessThan(instant.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("pause and resume", () => {
  test("resume skips exactly the cycles dated inside the pause, never a cycle due before it", () => {
    const DAY = 86_400_000;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: -20 * DAY, max: 20 * DAY }),
        fc.integer({ min: 1, max: 400 * DAY }),
        (cycle, pauseOffset, length) => {
          const sub = subscription({}, cycle);
          const due = cycleStart(sub.anchor, cycle).getTime();
          const pausedAt = new Date(due + pauseOffset);
          const paused = pause(sub, pausedAt);
          if (paused.kind !== "change") return;
          const resumedAt = new Date(pausedAt.getTime() + length);
          const resumed = resume(paused.next, resumedAt);
          if (resumed.kind !== "change") return;
          const next = resumed.next;
          if (due < pausedAt.getTime()) {
            // Owed from before the pause: still the cycle charged next, at once.
            expect(next.cycle).toBe(cycle);
            expect(next.nextChargeAt).toBe(resumedAt.toISOString());
            if (next.resumeSkipTo !== undefined) {
              for (let k = cycle + 1; k < next.resumeSkipTo; k++) {
                expect(cycleStart(sub.anchor, k).getTime()).toBeGreaterThanOrEqual(pausedAt.getTime());
                expect(cycleStart(sub.anchor, k).getTime()).toBeLessThan(resumedAt.getTime());
              }
            }
          } else {
            // Every skipped cycle is dated inside the pause; the next one is not.
            for (let k = cycle; k < next.cycle; k++) {
              const start = cycleStart(sub.anchor, k).getTime();
              expect(start).toBeGreaterThanOrEqual(pausedAt.getTime());
              expect(start).toBeLessThan(resumedAt.getTime());
            }
            expect(cycleStart(sub.anchor, next.cycle).getTime()).toBeGreaterThanOrEqual(resumedAt.getTime());
            expect(next.skippedCycles - sub.skippedCycles).toBe(next.cycle - cycle);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
