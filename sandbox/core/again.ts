import { findDecline } from "./declines.js";
import type { Engine } from "./engine.js";
import { noticeUrls } from "./engine.js";
import { IamportApiError } from "./errors.js";
import { newPayment, receiptUrl } from "./payment.js";
import type { StoredPayment } from "./types.js";

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

/**
 * Charges a billing key. A decline is code 0 with status failed (no webhook unless
 * `notifyFailure`); an unknown customer_uid or an already paid merchant_uid is a non-zero
 * code with no payment.
 */
export function chargeAgain(engine: Engine, req: AgainRequest, options: ChargeOptions = {}): StoredPayment {
  const key = engine.store.billingKeys.get(req.customer_uid);
  if (!key) throw new IamportApiError(200, 1, "등록되지 않은 구매자입니다.");
  if (engine.store.isPaid(req.merchant_uid))
    throw new IamportApiError(200, 1, "이미 결제가 이루어진 거래건입니다.");
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
  engine.store.payments.set(v.imp_uid, payment);

  const decline = findDecline(engine.store.declines, {
    customerUid: req.customer_uid,
    cardNumber: key.rawCardNumber,
    cardCode: key.view.card_code,
  });
  if (decline) {
    v.status = "failed";
    v.failed_at = now;
    v.fail_reason = decline.message;
    if (options.notifyFailure) engine.notify(payment, "failed");
    return payment;
  }
  v.status = "paid";
  v.paid_at = now;
  v.apply_num = engine.ids.applyNum();
  v.receipt_url = receiptUrl(engine.baseUrl, v.imp_uid);
  engine.notify(payment, "paid");
  return payment;
}
