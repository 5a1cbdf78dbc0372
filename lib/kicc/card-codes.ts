/**
 * Card company codes that iamport V1 accepts in `card.direct.code` and
 * `card.detail[].card_code` for KICC.
 *
 * Domestic cards use the KFTC (금융결제원) standard codes from PortOne's
 * official card-code table; foreign brands have no KFTC code, so PortOne gives
 * them 1000x codes. Legacy alpha codes (VIS, MAS…) and `050` 저축은행 from
 * third-party typings are left out on purpose: the official table does not
 * list them, and a code KICC does not know fails only once the buyer is in
 * the payment window.
 */
export const CARD_CODES: Readonly<Record<string, string>> = Object.freeze({
  "361": "BC",
  "381": "KB국민",
  "367": "현대",
  "365": "삼성",
  "368": "롯데",
  "371": "NH농협",
  "041": "우리",
  "374": "하나",
  "045": "새마을금고",
  "373": "제주",
  "369": "수협",
  "048": "신협",
  "370": "씨티",
  "071": "우체국",
  "089": "K뱅크",
  "372": "전북",
  "090": "카카오뱅크",
  "364": "광주",
  "366": "신한",
  "002": "KDB산업",
  "10001": "UnionPay",
  "10002": "Diners",
  "10003": "AMEX",
  "10004": "Master",
  "10005": "Visa",
  "10006": "JCB",
});

/**
 * Whether `code` is one of {@link CARD_CODES}.
 *
 * Own keys only, so names inherited from `Object.prototype` such as
 * `"toString"` are not mistaken for card codes.
 */
export function isKnownCardCode(code: string): boolean {
  return Object.hasOwn(CARD_CODES, code);
}
