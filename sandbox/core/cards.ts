/** KFTC card codes iamport V1 uses (fact sheet §9), for card_name on test payments. */
const CARD_NAMES: Record<string, string> = {
  "361": "BC카드",
  "381": "KB국민카드",
  "367": "현대카드",
  "365": "삼성카드",
  "368": "롯데카드",
  "371": "NH카드",
  "041": "우리카드",
  "374": "하나카드",
  "045": "새마을금고",
  "373": "제주카드",
  "369": "수협카드",
  "048": "신협카드",
  "370": "씨티카드",
  "071": "우체국카드",
  "089": "K뱅크",
  "372": "전북카드",
  "090": "카카오뱅크",
  "364": "광주카드",
  "366": "신한카드",
  "002": "KDB산업은행",
  "10001": "UnionPay",
  "10002": "Diners",
  "10003": "AMEX",
  "10004": "Master",
  "10005": "VISA",
  "10006": "JCB",
};

export const DEFAULT_TEST_CARD = { code: "366", number: "5365101234561234" } as const;

export function isKnownCardCode(code: string): boolean {
  return code in CARD_NAMES;
}

export function cardName(code: string): string {
  return CARD_NAMES[code] ?? "테스트카드";
}

/** Masks digits 7-12 as iamport does: "5365-10**-****-1234" → "536510******1234". */
export function maskCardNumber(number: string): string {
  const digits = number.replace(/\D/g, "");
  if (digits.length < 12) return digits.replace(/./g, "*");
  return `${digits.slice(0, 6)}${"*".repeat(digits.length - 10)}${digits.slice(-4)}`;
}

export function sameCardNumber(a: string, b: string): boolean {
  return a.replace(/\D/g, "") === b.replace(/\D/g, "");
}
