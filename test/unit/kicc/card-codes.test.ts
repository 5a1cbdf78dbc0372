import { describe, expect, it } from "vitest";
import { CARD_CODES, isKnownCardCode } from "../../../lib/kicc/index.js";

// The official PortOne table (KFTC codes) plus the foreign-brand codes.
const OFFICIAL: ReadonlyArray<[string, string]> = [
  ["361", "BC"],
  ["381", "KB국민"],
  ["367", "현대"],
  ["365", "삼성"],
  ["368", "롯데"],
  ["371", "NH농협"],
  ["041", "우리"],
  ["374", "하나"],
  ["045", "새마을금고"],
  ["373", "제주"],
  ["369", "수협"],
  ["048", "신협"],
  ["370", "씨티"],
  ["071", "우체국"],
  ["089", "K뱅크"],
  ["372", "전북"],
  ["090", "카카오뱅크"],
  ["364", "광주"],
  ["366", "신한"],
  ["002", "KDB산업"],
  ["10001", "UnionPay"],
  ["10002", "Diners"],
  ["10003", "AMEX"],
  ["10004", "Master"],
  ["10005", "Visa"],
  ["10006", "JCB"],
];

describe("CARD_CODES", () => {
  it.each(OFFICIAL)("maps %s to %s and knows it", (code, name) => {
    // Act / Assert
    expect(CARD_CODES[code]).toBe(name);
    expect(isKnownCardCode(code)).toBe(true);
  });

  it("lists exactly the official codes, nothing more", () => {
    // Assert
    expect(Object.keys(CARD_CODES).sort()).toEqual(OFFICIAL.map(([code]) => code).sort());
  });

  it("cannot be changed at run time", () => {
    // Act
    const write = () => {
      (CARD_CODES as Record<string, string>)["999"] = "fake";
    };
    // Assert
    expect(write).toThrow(TypeError);
    expect(isKnownCardCode("999")).toBe(false);
  });
});

describe("isKnownCardCode", () => {
  it.each([
    ["41", "leading zero dropped (우리 is 041)"],
    ["366 ", "trailing space"],
    ["", "empty"],
    ["*", "the all-cards wildcard is not a card"],
    ["VIS", "legacy alpha code"],
    ["050", "저축은행 is not in the official table"],
    ["10007", "no such foreign code"],
    ["toString", "inherited Object.prototype name"],
    ["__proto__", "prototype accessor"],
  ])("refuses %j (%s)", (code) => {
    // Act / Assert
    expect(isKnownCardCode(code)).toBe(false);
  });
});
