/**
 * The refund account of a virtual-account refund: iamport wants `refund_bank`
 * as a bank code, `refund_account` and `refund_holder`. Pure rules only.
 *
 * Codes are the KFTC standard bank codes (금융결제원 표준코드), which is what
 * iamport's `/banks` lists and, as far as its PG bank-code table shows, what
 * KICC takes. A merchant may send the code or one of the usual names; we send
 * the code.
 */

/** Standard code → the names a merchant is likely to send (first one is the display name). */
const BANKS: Readonly<Record<string, readonly string[]>> = {
  "002": ["KDB산업은행", "산업은행", "산업", "KDB"],
  "003": ["IBK기업은행", "기업은행", "기업", "IBK"],
  "004": ["KB국민은행", "국민은행", "국민", "KB"],
  "007": ["Sh수협은행", "수협은행", "수협"],
  "011": ["NH농협은행", "농협은행", "농협", "NH"],
  "012": ["지역농축협", "단위농협"],
  "020": ["우리은행", "우리"],
  "023": ["SC제일은행", "제일은행", "SC"],
  "027": ["한국씨티은행", "씨티은행", "씨티"],
  "031": ["iM뱅크", "대구은행", "대구"],
  "032": ["부산은행", "부산"],
  "034": ["광주은행", "광주"],
  "035": ["제주은행", "제주"],
  "037": ["전북은행", "전북"],
  "039": ["경남은행", "경남"],
  "045": ["새마을금고"],
  "048": ["신협", "신용협동조합"],
  "050": ["저축은행", "상호저축은행"],
  "064": ["산림조합"],
  "071": ["우체국"],
  "081": ["하나은행", "하나", "KEB하나은행"],
  "088": ["신한은행", "신한"],
  "089": ["케이뱅크", "K뱅크"],
  "090": ["카카오뱅크", "카카오"],
  "092": ["토스뱅크", "토스"],
};

const fold = (name: string) => name.replace(/\s+/g, "").toLowerCase();

const BY_NAME = new Map<string, string>(
  Object.entries(BANKS).flatMap(([code, names]) => names.map((name) => [fold(name), code] as const)),
);

/**
 * The standard code for `input`: a listed code (`"004"`, or `"04"`/`"4"` without
 * the leading zeros) or a listed name (`"국민은행"`, `"KB 국민은행"`); `null` otherwise.
 */
export function bankCodeOf(input: string): string | null {
  const trimmed = input.trim();
  if (/^\d{1,3}$/.test(trimmed)) {
    const code = trimmed.padStart(3, "0");
    return code in BANKS ? code : null;
  }
  return BY_NAME.get(fold(trimmed)) ?? null;
}

// Digits in dash-separated groups, like the account numbers banks print.
const ACCOUNT_PATTERN = /^[0-9]+(?:-[0-9]+)*$/;
/** Korean bank accounts run 10 to 14 digits; 8 and 16 leave room for savings banks and co-ops. */
const MIN_ACCOUNT_DIGITS = 8;
const MAX_ACCOUNT_DIGITS = 16;

/** Why `input` is not an account number, or `null` when it is one. */
export function accountNumberProblem(input: string): string | null {
  if (!ACCOUNT_PATTERN.test(input)) return "must be digits, optionally in dash-separated groups";
  const digits = input.replace(/-/g, "").length;
  if (digits < MIN_ACCOUNT_DIGITS || digits > MAX_ACCOUNT_DIGITS) {
    return `must have ${MIN_ACCOUNT_DIGITS} to ${MAX_ACCOUNT_DIGITS} digits`;
  }
  return null;
}

/** The account as sent to iamport: digits only (dashes are formatting). */
export function normaliseAccountNumber(input: string): string {
  return input.replace(/-/g, "");
}
