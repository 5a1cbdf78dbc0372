/**
 * Soft or hard: whether retrying the same card can help.
 *
 * KICC reports a decline as `fail_reason` text, usually `[code] message`
 * (e.g. `[8326] 잔액부족`). The codes are not published, so the message words
 * decide, with the codes we have seen as a first check. Hard means the card
 * itself will not pay again (lost, stolen, expired, closed, suspended, not a
 * valid card, billing key gone): retrying only annoys the issuer, so the
 * subscription waits for a new card. Anything else (limit, balance, a PG
 * hiccup, a reason we do not recognise) is soft and retried on the dunning
 * schedule, which is bounded, so an unknown reason costs a few retries at most.
 */

export type DeclineSeverity = "soft" | "hard";

const HARD_CODES = new Set(["8310", "8316"]);
const SOFT_CODES = new Set(["8324", "8326"]);

const HARD_WORDS = [
  "분실", // lost
  "도난", // stolen
  "유효기간", // expired
  "만료", // expired
  "해지", // card closed
  "정지", // suspended (거래정지, 사용정지)
  "폐기", // destroyed / replaced
  "없는 카드",
  "유효하지 않은 카드",
  "카드번호 오류",
  "등록되지 않은 구매자", // iamport: the customer_uid has no billing key
  "등록된 고객정보가 없", // iamport's newer wording of the same
  "빌링키",
  "lost",
  "stolen",
  "expired",
  "closed",
  "invalid card",
];

/** Classifies iamport's `fail_reason` for a billing-key charge. */
export function classifyDecline(failReason: string | null | undefined): DeclineSeverity {
  const reason = (failReason ?? "").trim();
  const code = /^\[(\w+)\]/.exec(reason)?.[1];
  if (code && HARD_CODES.has(code)) return "hard";
  if (code && SOFT_CODES.has(code)) return "soft";
  const lower = reason.toLowerCase();
  return HARD_WORDS.some((word) => lower.includes(word)) ? "hard" : "soft";
}

/**
 * iamport's refusal of `again` for a customer_uid without a billing key (code 1), in the wording
 * client tests saw, or the one its scheduler answers since 2021 (등록된 고객정보가 없습니다.).
 */
export function isMissingBillingKey(message: string | null | undefined): boolean {
  const text = message ?? "";
  return text.includes("등록되지 않은 구매자") || text.includes("등록된 고객정보가 없");
}

/**
 * The PG's reason inside iamport's refusal of a charge (non-zero code), e.g. `카드 승인에
 * 실패하였습니다. [8326] 잔액부족` → `[8326] 잔액부족`, or null. iamport may answer a decline
 * this way instead of code 0 + status failed (undocumented; the fact sheet says handle both):
 * a bracketed PG code means the card company answered, so it is a decline, not a bad request.
 */
export function pgDeclineReason(message: string | null | undefined): string | null {
  const match = /\[[A-Za-z0-9]{2,10}\]\s*\S.*$/s.exec(message ?? "");
  return match ? match[0].trim() : null;
}

/** iamport's refusal of a payment under a merchant_uid that is already paid. */
export function isAlreadyPaid(message: string | null | undefined): boolean {
  return (message ?? "").includes("이미 결제가 이루어진");
}
