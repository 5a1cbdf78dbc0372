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

export type BillingInterval = "month" | "year";

const KST_OFFSET_MS = 9 * 60 * 60 * 1000;
const MINUTES_PER_DAY = 24 * 60;
/** 9,999 months is 833 years; bounds the merchant_uid and every loop here. */
export const MAX_CYCLE = 9_999;

/** Where a plan's cycles fall: cycle n starts on `day` of the n-th month (or year) from `year`-`month`. */
export interface BillingAnchor {
  interval: BillingInterval;
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
    anchor.minute < MINUTES_PER_DAY;
  if (!ok) throw new RangeError(`invalid billing anchor ${JSON.stringify(anchor)}`);
}

const monthsPerCycle = (interval: BillingInterval) => (interval === "year" ? 12 : 1);

/** The instant cycle `cycle` (1-based) is due: its period starts then. */
export function cycleStart(anchor: BillingAnchor, cycle: number): Date {
  checkAnchor(anchor);
  if (!Number.isInteger(cycle) || cycle < 1 || cycle > MAX_CYCLE + 1) {
    throw new RangeError(`cycle must be an integer from 1 to ${MAX_CYCLE + 1}, got ${cycle}`);
  }
  const monthIndex = anchor.year * 12 + (anchor.month - 1) + (cycle - 1) * monthsPerCycle(anchor.interval);
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
  // An estimate within one cycle of the answer; the loops below settle it (bounded).
  let cycle = Math.min(MAX_CYCLE, Math.max(1, Math.floor(months / monthsPerCycle(anchor.interval)) + 1));
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
export function anchorFor(firstCharge: Date, interval: BillingInterval, anchorDay?: number): BillingAnchor {
  const kst = toKst(firstCharge);
  const day = anchorDay ?? kst.day;
  const anchor: BillingAnchor = { interval, year: kst.year, month: kst.month, day, minute: kst.minute };
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
