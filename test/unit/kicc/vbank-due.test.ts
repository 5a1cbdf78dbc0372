import { describe, expect, it } from "vitest";
import {
  defaultVbankDue,
  formatVbankDue,
  isVbankDueInFuture,
  parseVbankDue,
} from "../../../lib/kicc/index.js";

describe("parseVbankDue", () => {
  it.each([
    [
      "2026-03-01 00:30:00",
      "2026-02-28T15:30:00.000Z",
      "YYYY-MM-DD HH:mm:ss, 00:30 KST is the previous UTC day",
    ],
    ["20260301003000", "2026-02-28T15:30:00.000Z", "YYYYMMDDHHmmss, same instant"],
    ["2026-03-01 09:00:00", "2026-03-01T00:00:00.000Z", "09:00 KST is UTC midnight"],
    ["20260301085959", "2026-02-28T23:59:59.000Z", "08:59:59 KST is still the previous UTC day"],
    ["2026-12-31 23:59:59", "2026-12-31T14:59:59.000Z", "end of the year"],
    ["2027-01-01 00:00:00", "2026-12-31T15:00:00.000Z", "new year in KST, old year in UTC"],
  ])("reads %s as %s (%s)", (text, iso) => {
    // Act / Assert
    expect(parseVbankDue(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ["2026-03-01", "YYYY-MM-DD"],
    ["20260301", "YYYYMMDD"],
  ])("reads the date-only %s (%s) as the last second of that KST day", (text) => {
    // Act / Assert
    expect(parseVbankDue(text)?.toISOString()).toBe("2026-03-01T14:59:59.000Z");
  });

  it.each([
    ["2028-02-29", "2028-02-29T14:59:59.000Z"],
    ["20280229", "2028-02-29T14:59:59.000Z"],
    ["2028-02-29 12:00:00", "2028-02-29T03:00:00.000Z"],
    ["20280229120000", "2028-02-29T03:00:00.000Z"],
  ])("accepts the leap day %s", (text, iso) => {
    // Act / Assert
    expect(parseVbankDue(text)?.toISOString()).toBe(iso);
  });

  it.each([
    ["2026-02-29", "no leap day in 2026"],
    ["20260229", "no leap day in 2026 (compact)"],
    ["2100-02-29", "2100 is not a leap year"],
    ["2026-02-30", "February 30th"],
    ["2026-04-31", "April 31st"],
    ["2026-13-01", "month 13"],
    ["2026-00-10", "month 0"],
    ["2026-03-00", "day 0"],
    ["2026-03-01 24:00:00", "hour 24"],
    ["2026-03-01 23:60:00", "minute 60"],
    ["20260301235960", "second 60"],
    ["2026-3-1", "unpadded"],
    ["2026/03/01", "slashes"],
    ["2026-03-01T10:00:00", "ISO T separator"],
    ["2026-03-01 10:00", "no seconds"],
    ["202603011000", "YYYYMMDDHHmm"],
    ["2026-03-01 10:00:00+09:00", "offset"],
    [" 2026-03-01", "leading space"],
    ["", "empty"],
    ["１２３４-03-01", "full-width digits"],
  ])("refuses %j (%s)", (text) => {
    // Act / Assert
    expect(parseVbankDue(text)).toBeNull();
  });
});

describe("formatVbankDue", () => {
  it.each([
    ["2026-02-28T15:30:00.000Z", "20260301003000", "crosses into the next KST day"],
    ["2026-02-28T14:59:59.000Z", "20260228235959", "last second of the KST day"],
    ["2026-12-31T15:00:00.000Z", "20270101000000", "crosses into the next KST year"],
    ["2028-02-28T15:00:00.000Z", "20280229000000", "lands on the leap day"],
    ["2026-03-01T00:00:00.999Z", "20260301090000", "milliseconds truncated, not rounded"],
    ["0999-01-01T00:00:00.000Z", "09990101090000", "four-digit year kept"],
  ])("formats %s as %s (%s)", (iso, text) => {
    // Act / Assert
    expect(formatVbankDue(new Date(iso))).toBe(text);
  });

  it("round-trips through parseVbankDue", () => {
    // Arrange
    const instant = new Date("2026-07-15T03:04:05.000Z");
    // Act
    const text = formatVbankDue(instant);
    // Assert
    expect(parseVbankDue(text)?.getTime()).toBe(instant.getTime());
  });

  it("refuses an invalid Date", () => {
    // Act / Assert
    expect(() => formatVbankDue(new Date("nope"))).toThrow(RangeError);
  });
});

describe("defaultVbankDue", () => {
  it("is the given hours after now, in KST", () => {
    // Arrange: 2026-02-28 23:30 KST
    const now = new Date("2026-02-28T14:30:00.000Z");
    // Act / Assert
    expect(defaultVbankDue(now, 1)).toBe("20260301003000");
    expect(defaultVbankDue(now, 72)).toBe("20260303233000");
  });

  it("accepts fractional hours", () => {
    // Act / Assert
    expect(defaultVbankDue(new Date("2026-03-01T00:00:00.000Z"), 0.5)).toBe("20260301093000");
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("refuses %s hours", (hours) => {
    // Act / Assert
    expect(() => defaultVbankDue(new Date("2026-03-01T00:00:00.000Z"), hours)).toThrow(RangeError);
  });
});

describe("isVbankDueInFuture", () => {
  // 2026-03-01 00:30:00 KST
  const now = new Date("2026-02-28T15:30:00.000Z");

  it.each([
    ["2026-03-01 00:30:01", true, "one second later"],
    ["20260301003001", true, "one second later (compact)"],
    ["2026-03-01 00:30:00", false, "the same second is not the future"],
    ["2026-03-01 00:29:59", false, "one second earlier"],
    ["2026-03-01", true, "today's date: due at the end of the KST day"],
    ["20260301", true, "today's date (compact)"],
    ["2026-02-28", false, "yesterday in KST, though still today in UTC"],
    ["20260228235959", false, "the last second of yesterday in KST"],
    ["2026-02-30", false, "not a date at all"],
    ["garbage", false, "not a date at all"],
  ])("%s is %s (%s)", (text, expected) => {
    // Act / Assert
    expect(isVbankDueInFuture(text, now)).toBe(expected);
  });
});
