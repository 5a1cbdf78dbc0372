/**
 * `vbank_due`, the virtual-account deposit deadline, in the four text formats
 * `IMP.request_pay` accepts. iamport reads them as Korean local time, so they
 * are interpreted in Asia/Seoul whatever the Lambda's own time zone is.
 */

// Korea has had no daylight saving time since 1988, so KST is a fixed UTC+9
// and plain arithmetic is exact; no time-zone database is needed.
const KST_OFFSET_MS = 9 * 60 * 60 * 1000;

const FORMATS: readonly RegExp[] = [
  /^(\d{4})-(\d{2})-(\d{2})$/,
  /^(\d{4})(\d{2})(\d{2})$/,
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/,
  /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/,
];

/** The formats, for messages that tell a merchant what to send. */
export const VBANK_DUE_FORMATS = "YYYY-MM-DD, YYYYMMDD, YYYY-MM-DD HH:mm:ss or YYYYMMDDHHmmss";

/**
 * The deadline `text` stands for, or `null` when it is in none of the four
 * formats or is not a real calendar date and time (2026-02-30, 24:00:00).
 *
 * A date without a time means the end of that day in KST (23:59:59): "pay by
 * the 1st" must not expire at the first second of the 1st. iamport does not
 * document this case, so callers that need a precise instant should send one.
 */
export function parseVbankDue(text: string): Date | null {
  for (const format of FORMATS) {
    const match = format.exec(text);
    if (match === null) continue;
    const [year = 0, month = 0, day = 0, hour = 23, minute = 59, second = 59] = match.slice(1).map(Number);
    return kstInstant(year, month, day, hour, minute, second);
  }
  return null;
}

function kstInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): Date | null {
  if (hour > 23 || minute > 59 || second > 59) return null;
  const wallClock = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 02-30 over to 03-02; a round trip that changes the date
  // means the date did not exist (this is also what rejects 02-29 in common years).
  if (
    wallClock.getUTCFullYear() !== year ||
    wallClock.getUTCMonth() !== month - 1 ||
    wallClock.getUTCDate() !== day
  ) {
    return null;
  }
  return new Date(wallClock.getTime() - KST_OFFSET_MS);
}

/**
 * `date` as `YYYYMMDDHHmmss` in KST, the most precise format iamport takes.
 * Milliseconds are dropped (truncated, never rounded up past the instant).
 *
 * @throws {RangeError} for an invalid Date.
 */
export function formatVbankDue(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError("formatVbankDue needs a valid Date");
  const kst = new Date(time + KST_OFFSET_MS);
  const pad = (value: number, width = 2) => String(value).padStart(width, "0");
  return (
    pad(kst.getUTCFullYear(), 4) +
    pad(kst.getUTCMonth() + 1) +
    pad(kst.getUTCDate()) +
    pad(kst.getUTCHours()) +
    pad(kst.getUTCMinutes()) +
    pad(kst.getUTCSeconds())
  );
}

/**
 * The deadline used when the merchant gives none: `hours` after `now`, as
 * `YYYYMMDDHHmmss` KST.
 *
 * @throws {RangeError} unless `hours` is a positive finite number (a zero or
 *   negative window would issue an account that is already expired).
 */
export function defaultVbankDue(now: Date, hours: number): string {
  if (!Number.isFinite(hours) || hours <= 0) {
    throw new RangeError(`defaultVbankDue needs a positive number of hours, got ${hours}`);
  }
  return formatVbankDue(new Date(now.getTime() + hours * 60 * 60 * 1000));
}

/**
 * Whether `text` is a valid `vbank_due` strictly after `now`. An unparseable
 * text is not in the future, so a caller that checks only this still refuses it.
 */
export function isVbankDueInFuture(text: string, now: Date): boolean {
  const due = parseVbankDue(text);
  return due !== null && due.getTime() > now.getTime();
}
