import { describe, expect, test } from "vitest";
import {
  classifyDecline,
  isAlreadyPaid,
  isMissingBillingKey,
  pgDeclineReason,
} from "../../../../lib/billing/rules/classify-decline.js";

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
    expect(isMissingBillingKey("등록된 고객정보가 없습니다.")).toBe(true);
    expect(isMissingBillingKey("잘못된 요청")).toBe(false);
    expect(isAlreadyPaid("이미 결제가 이루어진 거래건입니다.")).toBe(true);
    expect(isAlreadyPaid(null)).toBe(false);
  });
});

describe("a decline answered as a refused request", () => {
  test.each([
    ["카드 승인에 실패하였습니다. [8326] 잔액부족", "[8326] 잔액부족"],
    ["카드정보 인증에 실패하였습니다. [F113]거래거절 카드번호틀림", "[F113]거래거절 카드번호틀림"],
    ["[8310] 분실신고 카드", "[8310] 분실신고 카드"],
  ])("%s carries the PG's reason %s", (message, reason) => {
    expect(pgDeclineReason(message)).toBe(reason);
  });

  test.each([
    ["amount는 0보다 큰 숫자여야 합니다."],
    ["결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다)."],
    ["[결제포기] 사용자가 결제를 취소하셨습니다"],
    ["[8326]"],
    [null],
  ])("%s is not a PG decline", (message) => {
    expect(pgDeclineReason(message)).toBeNull();
  });
});
