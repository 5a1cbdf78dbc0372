import { findDecline } from "./declines.js";
import type { Engine } from "./engine.js";
import { noticeUrls } from "./engine.js";
import { IamportApiError } from "./errors.js";
import { newPayment, receiptUrl } from "./payment.js";
import type { StoredBillingKey, StoredPayment } from "./types.js";

export interface AgainRequest {
  customer_uid: string;
  merchant_uid: string;
  amount: number;
  name: string | null;
  tax_free?: number;
  card_quota?: number;
  custom_data?: string;
  notice_url?: string | string[];
  buyer_name?: string;
  buyer_email?: string;
  buyer_tel?: string;
  buyer_addr?: string;
  buyer_postcode?: string;
}

export interface ChargeOptions {
  /** "payment" for `again`, "payment.scheduled" when PortOne's scheduler charges. */
  usage?: "payment" | "payment.scheduled";
  /** Scheduled charges are the one case where iamport webhooks a failure (fact sheet §7). */
  notifyFailure?: boolean;
}

/** The one answer every client test saw for `again` with an unknown customer_uid (fact sheet §2). */
export const UNKNOWN_CUSTOMER = "등록되지 않은 구매자입니다.";
/** The wording iamport's scheduler switched to by 2021 (iamport-rest-client-python PR #45). */
export const UNKNOWN_CUSTOMER_NEWER = "등록된 고객정보가 없습니다.";
/** The `refused` answer of `failedMerchantUid`; the wording is the sandbox's own (nothing published). */
export const DUPLICATE_MERCHANT_UID =
  "이미 결제요청된 merchant_uid입니다. 새로운 merchant_uid로 요청해주세요.";
/** A decline answered as a refused request: iamport's words, then the PG's reason (as for onetime, §2). */
export const DECLINED_PREFIX = "카드 승인에 실패하였습니다.";

/**
 * The billing key of an `again` request, or iamport's refusal in the `unknownCustomer` mode:
 * HTTP 200 code 1 (what clients saw, in the older or the newer wording), or HTTP 404 code -1
 * (the lookup's answer).
 */
export function requireBillingKey(engine: Engine, customerUid: string): StoredBillingKey {
  const key = engine.store.billingKeys.get(customerUid);
  if (key) return key;
  if (engine.modes.unknownCustomer === "http-404")
    throw new IamportApiError(
      404,
      -1,
      `요청하신 customer_uid(${customerUid})로 등록된 정보를 찾을 수 없습니다.`,
    );
  if (engine.modes.unknownCustomer === "code-1-newer-message")
    throw new IamportApiError(200, 1, UNKNOWN_CUSTOMER_NEWER);
  throw new IamportApiError(200, 1, UNKNOWN_CUSTOMER);
}

/**
 * Charges a billing key. An unknown customer_uid or an already paid merchant_uid is a non-zero
 * code with no payment. A decline is, by the `againDecline` mode (or the decline rule's own
 * `answer`), code 0 with status failed (no webhook unless `notifyFailure`), or a refused
 * request (code 1, the PG's reason) with no payment or with a failed one on record. PortOne's
 * scheduler always records a failed payment: the modes are about the `again` answer.
 */
export function chargeAgain(engine: Engine, req: AgainRequest, options: ChargeOptions = {}): StoredPayment {
  const scheduled = options.usage === "payment.scheduled";
  const key = scheduled
    ? engine.store.billingKeys.get(req.customer_uid)
    : requireBillingKey(engine, req.customer_uid);
  if (!key) throw new IamportApiError(200, 1, UNKNOWN_CUSTOMER);
  if (engine.store.isPaid(req.merchant_uid))
    throw new IamportApiError(200, 1, "이미 결제가 이루어진 거래건입니다.");
  if (
    !scheduled &&
    engine.modes.failedMerchantUid === "refused" &&
    engine.store.byMerchantUid(req.merchant_uid).length > 0
  )
    throw new IamportApiError(200, 1, DUPLICATE_MERCHANT_UID);
  const now = engine.clock.now();
  const payment = newPayment({
    impUid: engine.ids.impUid(),
    merchantUid: req.merchant_uid,
    payMethod: "card",
    channel: "api",
    pgId: key.view.pg_id,
    sandbox: key.view.sandbox,
    amount: req.amount,
    name: req.name,
    now,
    seq: engine.ids.next(),
    buyer: {
      buyer_name: req.buyer_name ?? key.view.customer_name,
      buyer_email: req.buyer_email ?? key.view.customer_email,
      buyer_tel: req.buyer_tel ?? key.view.customer_tel,
      buyer_addr: req.buyer_addr ?? key.view.customer_addr,
      buyer_postcode: req.buyer_postcode ?? key.view.customer_postcode,
    },
    customData: req.custom_data,
    customerUid: req.customer_uid,
    customerUidUsage: options.usage ?? "payment",
    noticeUrls: noticeUrls(req.notice_url),
    taxFree: req.tax_free ?? 0,
  });
  const v = payment.view;
  v.card_code = key.view.card_code;
  v.card_name = key.view.card_name;
  v.card_number = key.view.card_number;
  v.card_type = key.view.card_type;
  v.card_quota = req.card_quota ?? 0;
  v.pg_tid = engine.ids.pgTid();

  const decline = findDecline(engine.store.declines, {
    customerUid: req.customer_uid,
    cardNumber: key.rawCardNumber,
    cardCode: key.view.card_code,
  });
  const answer = scheduled ? "status-failed" : (decline?.answer ?? engine.modes.againDecline);
  // A refusal with no record leaves nothing behind: the payment is never stored.
  if (!(decline && answer === "refused")) engine.store.addPayment(payment);
  if (decline) {
    v.status = "failed";
    v.failed_at = now;
    v.fail_reason = decline.message;
    if (options.notifyFailure) engine.notify(payment, "failed");
    if (answer !== "status-failed")
      throw new IamportApiError(200, 1, `${DECLINED_PREFIX} ${decline.message}`);
    return payment;
  }
  v.status = "paid";
  v.paid_at = now;
  v.apply_num = engine.ids.applyNum();
  v.receipt_url = receiptUrl(engine.baseUrl, v.imp_uid);
  engine.notify(payment, "paid");
  return payment;
}
