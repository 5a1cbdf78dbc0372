import { chargeAgain, requireBillingKey } from "../core/again.js";
import type { Engine } from "../core/engine.js";
import { snapshot } from "../core/payment.js";
import { type Fields, numberField, stringField } from "../http/body.js";
import type { Router } from "../http/router.js";
import { badRequest, notFound, ok, refused } from "./envelope.js";

const notRegistered = (uid: string) => `요청하신 customer_uid(${uid})로 등록된 정보를 찾을 수 없습니다.`;

function required(body: Fields, key: string): string {
  const v = stringField(body, key);
  if (v === undefined || v === "") badRequest(`${key}는 필수입력입니다.`);
  return v;
}

/** Billing keys and `again` charges. */
export function registerSubscribe(router: Router, engine: Engine): void {
  router.add("GET", "/subscribe/customers/:customer_uid", ({ params }) => {
    const key = engine.store.billingKeys.get(params.customer_uid as string);
    if (!key) notFound(notRegistered(params.customer_uid as string));
    return ok(snapshot(key.view));
  });
  router.add("DELETE", "/subscribe/customers/:customer_uid", ({ params }) => {
    const uid = params.customer_uid as string;
    const key = engine.store.billingKeys.get(uid);
    if (!key) notFound(notRegistered(uid));
    engine.store.billingKeys.delete(uid);
    return ok(snapshot(key.view));
  });
  router.add("POST", "/subscribe/payments/again", ({ body, headers }) => {
    const customerUid = required(body, "customer_uid");
    // The customer first: an unknown one without a name is "등록되지 않은 구매자입니다.", not a 400.
    requireBillingKey(engine, customerUid);
    const merchantUid = required(body, "merchant_uid");
    const name = required(body, "name");
    const json = !(headers["content-type"] ?? "").toLowerCase().includes("application/x-www-form-urlencoded");
    const amount = againAmount(engine, body.amount, json);
    const taxFree = numberField(body, "tax_free");
    const cardQuota = numberField(body, "card_quota");
    checkAgainRules(body, amount, taxFree, cardQuota);
    const notice = body.notice_url;
    const payment = chargeAgain(engine, {
      customer_uid: customerUid,
      merchant_uid: merchantUid,
      amount,
      name,
      tax_free: taxFree !== undefined && !Number.isNaN(taxFree) ? taxFree : undefined,
      card_quota: cardQuota !== undefined && !Number.isNaN(cardQuota) ? cardQuota : undefined,
      custom_data:
        stringField(body, "custom_data") ?? (body.custom_data ? JSON.stringify(body.custom_data) : undefined),
      notice_url:
        typeof notice === "string" || Array.isArray(notice) ? (notice as string | string[]) : undefined,
      buyer_name: stringField(body, "buyer_name"),
      buyer_email: stringField(body, "buyer_email"),
      buyer_tel: stringField(body, "buyer_tel"),
      buyer_addr: stringField(body, "buyer_addr"),
      buyer_postcode: stringField(body, "buyer_postcode"),
    });
    return ok(snapshot(payment.view));
  });
}

/**
 * The amount of an `again` request. A missing, non-numeric or non-positive one is a 400. By the
 * `againAmount` mode, a non-integer, or a string in a JSON body (form bodies carry only strings),
 * is refused as the window refuses it (`refused`), or charged as given (`charged`).
 */
function againAmount(engine: Engine, raw: unknown, json: boolean): number {
  const amount = numberField({ amount: raw }, "amount");
  if (amount === undefined || Number.isNaN(amount) || amount <= 0)
    badRequest("amount는 0보다 큰 숫자여야 합니다.");
  if (engine.modes.againAmount === "refused") {
    if (json && typeof raw === "string") badRequest("amount는 숫자(number)여야 합니다.");
    if (!Number.isInteger(amount)) refused("KRW 결제 amount는 정수여야 합니다.");
  }
  return amount;
}

/** What the payment window refuses is refused here too (KICC's rules, not a mode). */
function checkAgainRules(
  body: Fields,
  amount: number,
  taxFree: number | undefined,
  cardQuota: number | undefined,
): void {
  const currency = stringField(body, "currency");
  if (currency !== undefined && currency !== "" && currency.toUpperCase() !== "KRW")
    refused(`KICC 빌링결제는 KRW만 지원합니다: ${currency}`);
  if (taxFree !== undefined && (Number.isNaN(taxFree) || taxFree < 0 || taxFree > amount))
    refused("tax_free는 0 이상 amount 이하여야 합니다.");
  if (cardQuota !== undefined) {
    if (Number.isNaN(cardQuota) || !Number.isInteger(cardQuota) || cardQuota < 0 || cardQuota === 1)
      refused("card_quota는 0(일시불) 또는 2 이상의 할부개월이어야 합니다.");
    if (cardQuota >= 2 && amount < 50_000) refused("할부는 50,000원 이상 결제에서만 가능합니다.");
  }
}
