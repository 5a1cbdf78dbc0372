import { describe, expect, test } from "vitest";
import {
  anchorFor,
  type BillingAnchor,
  cycleContaining,
  cycleStart,
  daysInMonth,
  firstCycleAtOrAfter,
  fromKst,
  isLeapYear,
  nextAnchorDate,
  toKst,
} from "../../../../lib/billing/rules/calendar.js";

/** The KST calendar date of an instant, as YYYY-MM-DD. */
const kstDate = (instant: Date) => {
  const k = toKst(instant);
  return `${k.year}-${String(k.month).padStart(2, "0")}-${String(k.day).padStart(2, "0")}`;
};
const monthly = (year: number, month: number, day: number, minute = 10 * 60): BillingAnchor => ({
  interval: "month",
  year,
  month,
  day,
  minute,
});

describe("leap years and month lengths", () => {
  test.each([
    [2024, true],
    [2026, false],
    [2028, true],
    [2000, true],
    [2100, false],
    [2400, true],
  ])("%i is a leap year: %s", (year, leap) => {
    expect(isLeapYear(year)).toBe(leap);
    expect(daysInMonth(year, 2)).toBe(leap ? 29 : 28);
  });

  test("every month's length", () => {
    expect(Array.from({ length: 12 }, (_, i) => daysInMonth(2026, i + 1))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
  });
});

describe("a monthly plan bills on its anchor day, clamped to short months and never drifting", () => {
  test.each([
    [
      31,
      [
        "2028-01-31",
        "2028-02-29",
        "2028-03-31",
        "2028-04-30",
        "2028-05-31",
        "2028-06-30",
        "2028-07-31",
        "2028-08-31",
        "2028-09-30",
        "2028-10-31",
        "2028-11-30",
        "2028-12-31",
        "2029-01-31",
        "2029-02-28",
        "2029-03-31",
      ],
    ],
    [
      30,
      [
        "2028-01-30",
        "2028-02-29",
        "2028-03-30",
        "2028-04-30",
        "2028-05-30",
        "2028-06-30",
        "2028-07-30",
        "2028-08-30",
        "2028-09-30",
        "2028-10-30",
        "2028-11-30",
        "2028-12-30",
        "2029-01-30",
        "2029-02-28",
        "2029-03-30",
      ],
    ],
    [
      29,
      [
        "2028-01-29",
        "2028-02-29",
        "2028-03-29",
        "2028-04-29",
        "2028-05-29",
        "2028-06-29",
        "2028-07-29",
        "2028-08-29",
        "2028-09-29",
        "2028-10-29",
        "2028-11-29",
        "2028-12-29",
        "2029-01-29",
        "2029-02-28",
        "2029-03-29",
      ],
    ],
    [
      28,
      [
        "2028-01-28",
        "2028-02-28",
        "2028-03-28",
        "2028-04-28",
        "2028-05-28",
        "2028-06-28",
        "2028-07-28",
        "2028-08-28",
        "2028-09-28",
        "2028-10-28",
        "2028-11-28",
        "2028-12-28",
        "2029-01-28",
        "2029-02-28",
        "2029-03-28",
      ],
    ],
  ])("anchored on the %i from January 2028 (a leap year)", (day, expected) => {
    const anchor = monthly(2028, 1, day);

    const dates = expected.map((_, i) => kstDate(cycleStart(anchor, i + 1)));

    expect(dates).toEqual(expected);
  });

  test("the 31st through 2100, which is not a leap year: Feb 28, then back to Mar 31", () => {
    const anchor = monthly(2099, 12, 31);

    expect([1, 2, 3, 4].map((n) => kstDate(cycleStart(anchor, n)))).toEqual([
      "2099-12-31",
      "2100-01-31",
      "2100-02-28",
      "2100-03-31",
    ]);
  });

  test("every cycle is due at the anchor's KST time of day", () => {
    const anchor = monthly(2026, 1, 31, 14 * 60 + 5);

    for (let n = 1; n <= 24; n++) expect(toKst(cycleStart(anchor, n)).minute).toBe(14 * 60 + 5);
  });
});

describe("a yearly plan", () => {
  test("anchored on Feb 29 bills Feb 28 in common years and Feb 29 in leap years", () => {
    const anchor: BillingAnchor = { interval: "year", year: 2028, month: 2, day: 29, minute: 0 };

    expect([1, 2, 3, 4, 5].map((n) => kstDate(cycleStart(anchor, n)))).toEqual([
      "2028-02-29",
      "2029-02-28",
      "2030-02-28",
      "2031-02-28",
      "2032-02-29",
    ]);
  });

  test("2096 → 2100 → 2104: the century year is skipped as a leap year", () => {
    const anchor: BillingAnchor = { interval: "year", year: 2096, month: 2, day: 29, minute: 0 };

    expect([1, 2, 3].map((n) => kstDate(cycleStart(anchor, n)))).toEqual([
      "2096-02-29",
      "2097-02-28",
      "2098-02-28",
    ]);
    expect(kstDate(cycleStart(anchor, 5))).toBe("2100-02-28");
    expect(kstDate(cycleStart(anchor, 9))).toBe("2104-02-29");
  });
});

describe("the KST day boundary", () => {
  test("a charge due 00:30 KST on the 1st is 15:30 UTC on the day before", () => {
    const anchor = anchorFor(new Date("2026-02-28T15:30:00.000Z"), "month");

    expect(anchor).toEqual({ interval: "month", year: 2026, month: 3, day: 1, minute: 30 });
    expect(cycleStart(anchor, 1).toISOString()).toBe("2026-02-28T15:30:00.000Z");
    expect(cycleStart(anchor, 2).toISOString()).toBe("2026-03-31T15:30:00.000Z");
    expect(cycleStart(anchor, 11).toISOString()).toBe("2026-12-31T15:30:00.000Z");
  });

  test("the anchor day is read in KST: 15:00 UTC on Jan 31 is Feb 1 in Seoul", () => {
    expect(anchorFor(new Date("2026-01-31T14:59:00.000Z"), "month").day).toBe(31);
    expect(anchorFor(new Date("2026-01-31T15:00:00.000Z"), "month").day).toBe(1);
  });

  test("fromKst and toKst round-trip at the midnight edge", () => {
    const instant = fromKst({ year: 2027, month: 1, day: 1, minute: 0 });

    expect(instant.toISOString()).toBe("2026-12-31T15:00:00.000Z");
    expect(toKst(instant)).toEqual({ year: 2027, month: 1, day: 1, minute: 0 });
    expect(() => fromKst({ year: 2026, month: 2, day: 29, minute: 0 })).toThrow(RangeError);
  });
});

describe("no double billing across a time-zone edge", () => {
  test("twenty years of a plan due 00:30 KST on the 31st: one cycle per KST month, strictly later each time", () => {
    const anchor = monthly(2026, 1, 31, 30);
    const months = new Set<string>();
    let previous = 0;

    for (let n = 1; n <= 240; n++) {
      const start = cycleStart(anchor, n);
      const kst = toKst(start);
      months.add(`${kst.year}-${kst.month}`);
      expect(kst.day).toBe(Math.min(31, daysInMonth(kst.year, kst.month)));
      expect(start.getTime()).toBeGreaterThan(previous);
      previous = start.getTime();
    }

    expect(months.size).toBe(240);
  });

  test("minute by minute across the UTC and KST midnights, the cycle number changes exactly once, at the due time", () => {
    const anchor = monthly(2026, 1, 1, 30);
    const due = cycleStart(anchor, 3); // 2026-03-01 00:30 KST = 2026-02-28T15:30Z
    const seen: number[] = [];

    for (let m = -24 * 60; m <= 24 * 60; m++) {
      const cycle = cycleContaining(anchor, new Date(due.getTime() + m * 60_000));
      if (seen.at(-1) !== cycle) seen.push(cycle);
    }

    expect(seen).toEqual([2, 3]);
    expect(cycleContaining(anchor, new Date(due.getTime() - 1))).toBe(2);
    expect(cycleContaining(anchor, due)).toBe(3);
  });

  test("the first cycle at or after an instant: the due instant itself, or the next one", () => {
    const anchor = monthly(2026, 1, 31);
    const second = cycleStart(anchor, 2);

    expect(firstCycleAtOrAfter(anchor, second)).toBe(2);
    expect(firstCycleAtOrAfter(anchor, new Date(second.getTime() + 1))).toBe(3);
    expect(firstCycleAtOrAfter(anchor, new Date("2020-01-01T00:00:00Z"))).toBe(1);
    expect(firstCycleAtOrAfter(anchor, new Date("2031-07-15T00:00:00Z"))).toBe(67);
    expect(kstDate(cycleStart(anchor, 67))).toBe("2031-07-31");
  });
});

describe("choosing the anchor", () => {
  test("with an anchor day, the first charge must fall on it (the month's last day when shorter)", () => {
    expect(anchorFor(fromKst({ year: 2026, month: 2, day: 28, minute: 600 }), "month", 31)).toMatchObject({
      day: 31,
      month: 2,
    });
    expect(() => anchorFor(fromKst({ year: 2028, month: 2, day: 28, minute: 600 }), "month", 31)).toThrow(
      RangeError,
    );
    expect(() => anchorFor(fromKst({ year: 2026, month: 3, day: 15, minute: 600 }), "month", 1)).toThrow(
      RangeError,
    );
  });

  test.each([
    ["today is the anchor day", { year: 2026, month: 3, day: 15 }, 15, "2026-03-15"],
    ["later this month", { year: 2026, month: 3, day: 15 }, 20, "2026-03-20"],
    ["the 31st in a 30-day month", { year: 2026, month: 4, day: 2 }, 31, "2026-04-30"],
    ["the 31st in February", { year: 2026, month: 2, day: 10 }, 31, "2026-02-28"],
    ["already passed: next month", { year: 2026, month: 3, day: 15 }, 1, "2026-04-01"],
    ["already passed in December: January", { year: 2026, month: 12, day: 31 }, 30, "2027-01-30"],
  ])("next anchor date when %s", (_what, today, anchorDay, expected) => {
    const now = fromKst({ ...today, minute: 9 * 60 + 7 });

    const next = nextAnchorDate(now, anchorDay);

    expect(kstDate(next)).toBe(expected);
    expect(toKst(next).minute).toBe(9 * 60 + 7);
  });

  test("cycle numbers and anchors out of range are refused", () => {
    expect(() => cycleStart(monthly(2026, 1, 1), 0)).toThrow(RangeError);
    expect(() => cycleStart(monthly(2026, 1, 1), 1.5)).toThrow(RangeError);
    expect(() => cycleStart(monthly(2026, 1, 32), 1)).toThrow(RangeError);
    expect(() => nextAnchorDate(new Date(), 0)).toThrow(RangeError);
  });
});
