/**
 * The billing calendar, in Asia/Seoul. Pure: every date rule here is a unit test.
 *
 * Korea has had no daylight saving time since 1988, so KST is a fixed UTC+9 and
 * plain arithmetic is exact. Two mistakes peers made are designed out:
 *
 * - A cycle's date is computed from the ANCHOR and the cycle number, never from
 *   the previous charge date: a plan anchored on the 31st bills Feb 28 (29 in a
 *   leap year) and comes back to Mar 31, instead of drifting to the 28th for good
 *   or stopping after February.
 * - Dates are KST calendar dates, converted to an instant once. A cycle is
 *   identified by its number (which also names its merchant_uid), so an instant
 *   read in UTC on one machine and in KST on another cannot make two cycles.
 */

export const BILLING_INTERVALS = ["day", "week", "month", "year"] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

/** The most intervals one cycle may span, per unit: a year of days or weeks, or of months; three years. */
export const MAX_INTERVAL_COUNT: Record<BillingInterval, number> = { day: 365, week: 52, month: 12, year: 3 };

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const MINUTES_PER_DAY = 24 * 60;
/** 9,999 months is 833 years; bounds the merchant_uid and every loop here. */
export const MAX_CYCLE = 9_999;

/**
 * Where a plan's cycles fall. Months and years: cycle n starts on `day` of the
 * ((n-1) × count)-th month (or year) from `year`-`month`, clamped to short
 * months. Days and weeks: cycle 1 is on `year`-`month`-`day` and each cycle
 * after it `count` days (or weeks) later, at the same KST minute (exact, since
 * KST has no daylight saving time).
 */
export interface BillingAnchor {
  interval: BillingInterval;
  /** Intervals per cycle (every 2 weeks: `week`, 2); 1 when absent (plans stored before counts existed). */
  count?: number;
  /** KST calendar year of cycle 1. */
  year: number;
  /** KST calendar month (1-12) of cycle 1; the month every cycle of a yearly plan falls in. */
  month: number;
  /** The day of the month the plan bills on (1-31); a shorter month bills on its last day. */
  day: number;
  /** KST minute of the day (0-1439) a cycle is due at. */
  minute: number;
}

/** A KST wall-clock reading of an instant. */
export interface KstDateTime {
  year: number;
  month: number;
  day: number;
  /** Minute of the day, 0-1439. */
  minute: number;
}

/** Gregorian: every 4th year, except centuries not divisible by 400 (2100 is not a leap year). */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1-12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one (Date.UTC handles the year rollover).
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The KST calendar date and minute of `instant`. */
export function toKst(instant: Date): KstDateTime {
  const wall = new Date(instant.getTime() + KST_OFFSET_MS);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    minute: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
  };
}

/** The instant of a KST date and minute; the date must exist (no rollover). */
export function fromKst(date: KstDateTime): Date {
  if (date.day < 1 || date.day > daysInMonth(date.year, date.month)) {
    throw new RangeError(`${date.year}-${date.month}-${date.day} is not a date`);
  }
  return new Date(Date.UTC(date.year, date.month - 1, date.day, 0, date.minute) - KST_OFFSET_MS);
}

function checkAnchor(anchor: BillingAnchor): void {
  const ok =
    Number.isInteger(anchor.year) &&
    Number.isInteger(anchor.month) &&
    anchor.month >= 1 &&
    anchor.month <= 12 &&
    Number.isInteger(anchor.day) &&
    anchor.day >= 1 &&
    anchor.day <= 31 &&
    Number.isInteger(anchor.minute) &&
    anchor.minute >= 0 &&
    anchor.minute < MINUTES_PER_DAY &&
    Number.isInteger(countOf(anchor)) &&
    countOf(anchor) >= 1 &&
    countOf(anchor) <= MAX_INTERVAL_COUNT[anchor.interval] &&
    // Counted in days from cycle 1's date, so that date must exist.
    (!inDays(anchor.interval) || anchor.day <= daysInMonth(anchor.year, anchor.month));
  if (!ok) throw new RangeError(`invalid billing anchor ${JSON.stringify(anchor)}`);
}

const countOf = (anchor: BillingAnchor) => anchor.count ?? 1;
const inDays = (interval: BillingInterval): interval is "day" | "week" =>
  interval === "day" || interval === "week";
const monthsPerCycle = (anchor: BillingAnchor) => (anchor.interval === "year" ? 12 : 1) * countOf(anchor);
const msPerCycle = (anchor: BillingAnchor) => (anchor.interval === "week" ? 7 : 1) * countOf(anchor) * DAY_MS;

/** The instant cycle `cycle` (1-based) is due: its period starts then. */
export function cycleStart(anchor: BillingAnchor, cycle: number): Date {
  checkAnchor(anchor);
  if (!Number.isInteger(cycle) || cycle < 1 || cycle > MAX_CYCLE + 1) {
    throw new RangeError(`cycle must be an integer from 1 to ${MAX_CYCLE + 1}, got ${cycle}`);
  }
  if (inDays(anchor.interval)) {
    const first = fromKst({ year: anchor.year, month: anchor.month, day: anchor.day, minute: anchor.minute });
    return new Date(first.getTime() + (cycle - 1) * msPerCycle(anchor));
  }
  const monthIndex = anchor.year * 12 + (anchor.month - 1) + (cycle - 1) * monthsPerCycle(anchor);
  const year = Math.floor(monthIndex / 12);
  const month = (monthIndex % 12) + 1;
  // Clamp, never carry: the 31st in a 30-day month is the 30th, not the 1st of the next.
  const day = Math.min(anchor.day, daysInMonth(year, month));
  return fromKst({ year, month, day, minute: anchor.minute });
}

/** The period cycle `cycle` pays for: from its start up to the next cycle's start. */
export function cyclePeriod(anchor: BillingAnchor, cycle: number): { start: Date; end: Date } {
  return { start: cycleStart(anchor, cycle), end: cycleStart(anchor, cycle + 1) };
}

/**
 * The first cycle due at or after `instant` (used when a paused subscription
 * resumes: cycles whose date fell in the pause are skipped, not charged late).
 */
export function firstCycleAtOrAfter(anchor: BillingAnchor, instant: Date): number {
  const kst = toKst(instant);
  const months = (kst.year - anchor.year) * 12 + (kst.month - anchor.month);
  const elapsed = inDays(anchor.interval)
    ? Math.floor((instant.getTime() - cycleStart(anchor, 1).getTime()) / msPerCycle(anchor))
    : Math.floor(months / monthsPerCycle(anchor));
  // An estimate within one cycle of the answer; the loops below settle it (bounded).
  let cycle = Math.min(MAX_CYCLE, Math.max(1, elapsed + 1));
  while (cycle > 1 && cycleStart(anchor, cycle - 1).getTime() >= instant.getTime()) cycle--;
  while (cycle <= MAX_CYCLE && cycleStart(anchor, cycle).getTime() < instant.getTime()) cycle++;
  return cycle;
}

/** The cycle whose period contains `instant`, or 0 before cycle 1 starts. */
export function cycleContaining(anchor: BillingAnchor, instant: Date): number {
  const next = firstCycleAtOrAfter(anchor, instant);
  return cycleStart(anchor, next).getTime() === instant.getTime() ? next : next - 1;
}

/**
 * The anchor of a plan whose first charge is at `firstCharge`. Without
 * `anchorDay` the plan bills on the first charge's KST day; with it, the first
 * charge must fall on that anchor date (its month's last day when the month is
 * shorter), so cycle 1 is a whole period.
 *
 * @throws RangeError when `firstCharge` is not on the anchor date
 */
export function anchorFor(
  firstCharge: Date,
  interval: BillingInterval,
  anchorDay?: number,
  count = 1,
): BillingAnchor {
  const kst = toKst(firstCharge);
  if (anchorDay !== undefined && inDays(interval)) {
    throw new RangeError(`an anchor day is for monthly and yearly plans, not every ${count} ${interval}(s)`);
  }
  const day = anchorDay ?? kst.day;
  const anchor: BillingAnchor = {
    interval,
    ...(count === 1 ? {} : { count }),
    year: kst.year,
    month: kst.month,
    day,
    minute: kst.minute,
  };
  checkAnchor(anchor);
  if (Math.min(day, daysInMonth(kst.year, kst.month)) !== kst.day) {
    throw new RangeError(`the first charge (KST ${kst.year}-${kst.month}-${kst.day}) is not on day ${day}`);
  }
  return anchor;
}

/**
 * The next instant on `anchorDay` (clamped to short months) at or after
 * `from`, at `from`'s KST time of day: `from` itself when today is that day.
 */
export function nextAnchorDate(from: Date, anchorDay: number): Date {
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31) {
    throw new RangeError(`anchor day must be an integer from 1 to 31, got ${anchorDay}`);
  }
  const kst = toKst(from);
  const thisMonth = Math.min(anchorDay, daysInMonth(kst.year, kst.month));
  if (thisMonth === kst.day) return from;
  if (thisMonth > kst.day) return fromKst({ ...kst, day: thisMonth });
  const year = kst.month === 12 ? kst.year + 1 : kst.year;
  const month = kst.month === 12 ? 1 : kst.month + 1;
  return fromKst({ year, month, day: Math.min(anchorDay, daysInMonth(year, month)), minute: kst.minute });
}
