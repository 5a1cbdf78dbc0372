import { isKnownCardCode } from "./cards.js";
import { CheckoutRefusal } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { PayInput } from "./pay-input.js";

const KICC_METHODS = new Set(["card", "trans", "vbank", "phone"]);
const VBANK_DUE = /^(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}|\d{14})$/;
const PARAM = "PARAM_ERROR";

function refuse(message: string): never {
  throw new CheckoutRefusal(PARAM, message);
}

function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "";
}

/**
 * Checks the params as iamport and KICC would before the window opens (fact sheet §8,
 * the order issue's rules). Written independently of lib/: the two must agree by test,
 * not by sharing code. Returns the MID the payment goes through.
 */
export function checkKiccParams(input: PayInput, options: ResolvedOptions): string {
  const pg = input.pg ?? "kicc";
  if (pg !== "kicc" && !pg.startsWith("kicc."))
    refuse(`지원하지 않는 PG사입니다: ${pg} (sandbox emulates kicc only)`);
  // Plain "kicc" is the console's default KICC channel: the payment MID, never the billing
  // one. A channelKey (without pg) names the channel itself; the sandbox has one of each kind.
  const byChannelKey =
    input.pg === undefined && typeof input.channelKey === "string" && input.channelKey !== "";
  const defaultMid = byChannelKey && input.customer_uid !== undefined ? options.billingMid : options.kiccMid;
  const mid = pg === "kicc" ? defaultMid : pg.slice(5);
  if (mid !== options.kiccMid && mid !== options.billingMid)
    refuse(`등록되지 않은 PG 상점아이디(MID)입니다: ${mid}`);
  const method = input.pay_method ?? "card";
  if (!KICC_METHODS.has(method)) refuse(`KICC에서 지원하지 않는 결제수단입니다: ${method}`);
  if (!nonEmpty(input.merchant_uid)) refuse("merchant_uid는 필수입력입니다.");
  if (input.merchant_uid.length > 40) refuse("merchant_uid는 40자 이내여야 합니다.");
  checkAmount(input);
  if (!nonEmpty(input.buyer_tel)) refuse("KICC 결제에는 buyer_tel이 필수입니다.");
  if (input.escrow === true) checkEscrow(input, method);
  if (method === "phone" && typeof input.digital !== "boolean")
    refuse("휴대폰 결제에는 digital(boolean)이 필수입니다.");
  if (
    input.vbank_due !== undefined &&
    !(typeof input.vbank_due === "string" && VBANK_DUE.test(input.vbank_due))
  )
    refuse("vbank_due 형식이 올바르지 않습니다 (YYYYMMDD, YYYY-MM-DD, YYYYMMDDHHmmss, YYYY-MM-DD HH:mm:ss).");
  checkCard(input);
  if (input.customer_uid !== undefined) {
    if (!nonEmpty(input.customer_uid)) refuse("customer_uid가 비어 있습니다.");
    if (method !== "card") refuse("빌링키 발급은 pay_method card만 지원합니다.");
    if (mid !== options.billingMid)
      refuse(`빌링키 발급은 비인증 결제용 MID(kicc.${options.billingMid})로만 가능합니다.`);
  }
  if (input.channel === "mobile" && !nonEmpty(input.m_redirect_url))
    refuse("모바일 결제에는 m_redirect_url이 필수입니다.");
  return mid;
}

function checkAmount(input: PayInput): void {
  const { amount } = input;
  if (typeof amount !== "number" || !Number.isFinite(amount)) refuse("amount는 숫자(number)여야 합니다.");
  if (!Number.isInteger(amount)) refuse("KRW 결제 amount는 정수여야 합니다.");
  // KICC shows the amount on billing-key issuance without charging it, so 0 is allowed there.
  if (amount < 0 || (amount === 0 && input.customer_uid === undefined)) refuse("amount는 0보다 커야 합니다.");
  if (input.tax_free !== undefined) {
    const taxFree = input.tax_free;
    if (typeof taxFree !== "number" || taxFree < 0 || taxFree > amount)
      refuse("tax_free는 0 이상 amount 이하여야 합니다.");
  }
}

function checkEscrow(input: PayInput, method: string): void {
  if (method !== "trans" && method !== "vbank") refuse("KICC 에스크로는 trans, vbank에서만 지원됩니다.");
  for (const field of ["buyer_name", "buyer_email", "buyer_tel"] as const) {
    if (!nonEmpty(input[field])) refuse(`에스크로 결제에는 ${field}이(가) 필수입니다.`);
  }
  const products = input.kiccProducts;
  if (!Array.isArray(products) || products.length === 0)
    refuse("KICC 에스크로 결제에는 kiccProducts가 필수입니다.");
  for (const item of products) {
    const p = (item ?? {}) as Record<string, unknown>;
    const ok =
      nonEmpty(p.orderNumber) &&
      nonEmpty(p.name) &&
      Number.isInteger(p.quantity) &&
      (p.quantity as number) > 0 &&
      typeof p.amount === "number";
    if (!ok) refuse("kiccProducts 항목에는 orderNumber, name, quantity, amount가 필요합니다.");
  }
}

function checkCard(input: PayInput): void {
  const card = input.card;
  if (card === undefined) return;
  if (card.direct !== undefined) {
    const { code, quota } = card.direct;
    if (typeof code !== "string" || !isKnownCardCode(code))
      refuse(`card.direct.code가 올바른 카드사 코드가 아닙니다.`);
    if (quota !== undefined) {
      if (!Number.isInteger(quota) || (quota as number) < 0 || quota === 1 || (quota as number) > 36)
        refuse("card.direct.quota는 0(일시불) 또는 2 이상의 할부개월이어야 합니다.");
      if ((quota as number) > 0 && typeof input.amount === "number" && input.amount < 50_000)
        refuse("할부는 50,000원 이상 결제에서만 가능합니다.");
    }
  }
  if (card.detail !== undefined) {
    const ok =
      Array.isArray(card.detail) &&
      card.detail.every((d: unknown) => {
        const entry = (d ?? {}) as Record<string, unknown>;
        const code = entry.card_code;
        return (
          typeof code === "string" &&
          (code === "*" || isKnownCardCode(code)) &&
          typeof entry.enabled === "boolean"
        );
      });
    if (!ok) refuse("card.detail은 {card_code, enabled} 배열이어야 합니다.");
  }
}
