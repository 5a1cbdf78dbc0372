import { chargeAgain } from "../core/again.js";
import type { Engine } from "../core/engine.js";
import { snapshot } from "../core/payment.js";
import { type Fields, numberField, stringField } from "../http/body.js";
import type { Router } from "../http/router.js";
import { badRequest, notFound, ok } from "./envelope.js";

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
  router.add("POST", "/subscribe/payments/again", ({ body }) => {
    const customerUid = required(body, "customer_uid");
    const merchantUid = required(body, "merchant_uid");
    const name = required(body, "name");
    const amount = numberField(body, "amount");
    if (amount === undefined || Number.isNaN(amount) || amount <= 0)
      badRequest("amount는 0보다 큰 숫자여야 합니다.");
    const taxFree = numberField(body, "tax_free");
    const cardQuota = numberField(body, "card_quota");
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
