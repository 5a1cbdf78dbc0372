import { describe, expect, test } from "vitest";
import {
  classifyDecline,
  isAlreadyPaid,
  isMissingBillingKey,
} from "../../../lib/billing/classify-decline.js";

describe("soft or hard", () => {
  test.each([
    ["[8324] 카드 한도초과", "soft"],
    ["[8326] 잔액부족", "soft"],
    ["한도초과", "soft"],
    ["[9999] 일시적인 통신 장애", "soft"],
    ["카드사 시스템 점검 중", "soft"],
    ["", "soft"],
    [null, "soft"],
    ["something new we have never seen", "soft"],
    ["[8310] 분실신고 카드", "hard"],
    ["[8316] 유효기간 경과 카드", "hard"],
    ["도난 신고된 카드입니다", "hard"],
    ["거래정지 카드", "hard"],
    ["해지된 카드", "hard"],
    ["유효하지 않은 카드번호", "hard"],
    ["등록되지 않은 구매자입니다.", "hard"],
    ["Card reported stolen", "hard"],
    ["EXPIRED CARD", "hard"],
  ])("%s → %s", (reason, expected) => {
    expect(classifyDecline(reason)).toBe(expected);
  });

  test("a known code decides before the words", () => {
    expect(classifyDecline("[8324] 분실 아님, 한도초과")).toBe("soft");
  });
});

describe("iamport refusals that are not request errors", () => {
  test("an unknown customer_uid is a missing billing key; a paid merchant_uid is 'already paid'", () => {
    expect(isMissingBillingKey("등록되지 않은 구매자입니다.")).toBe(true);
    expect(isMissingBillingKey("잘못된 요청")).toBe(false);
    expect(isAlreadyPaid("이미 결제가 이루어진 거래건입니다.")).toBe(true);
    expect(isAlreadyPaid(null)).toBe(false);
  });
});
