import { issueBillingKey } from "./billing-key.js";
import { cardName, DEFAULT_TEST_CARD, maskCardNumber } from "./cards.js";
import type { Decline } from "./declines.js";
import { describeDecline, findDecline } from "./declines.js";
import type { Engine } from "./engine.js";
import { noticeUrls } from "./engine.js";
import { CheckoutRefusal } from "./errors.js";
import { checkKiccParams } from "./kicc-rules.js";
import type { PayInput, PayResult } from "./pay-input.js";
import { newPayment, receiptUrl } from "./payment.js";
import type { StoredPayment } from "./types.js";
import { issueVirtualAccount } from "./vbank.js";

/** What iamport answers when the window is closed (many PGs report it this way). */
const CLOSED = { code: "F400", message: "[결제포기] 사용자가 결제를 취소하셨습니다" };

/**
 * Does what the payment window does when a person finishes it: pre-checks (params, paid
 * merchant_uid, prepared amount), then creates the payment and applies the outcome.
 * Both `control.pay` and the browser window's checkout call land here.
 */
export function checkout(engine: Engine, input: PayInput): PayResult {
  const refused = precheck(engine, input);
  if (refused) return refused;
  return run(engine, input, checkKiccParams(input, engine.options));
}

/**
 * The checks iamport makes before the window opens. Returns the rsp of a refusal (imp_uid
 * null), or undefined when the window may open. The browser SDK calls this first.
 */
export function precheck(engine: Engine, input: PayInput): PayResult | undefined {
  const merchantUid = typeof input.merchant_uid === "string" ? input.merchant_uid : "";
  try {
    checkKiccParams(input, engine.options);
    if (engine.store.isPaid(merchantUid) && !input.openedBeforePaid)
      throw new CheckoutRefusal("F1002", "이미 결제가 이루어진 거래건입니다.");
    const prepared = engine.store.prepared.get(merchantUid);
    if (prepared && !input.bypassPrepare && prepared.amount !== input.amount) {
      throw new CheckoutRefusal(
        "F1003",
        `사전등록된 결제정보와 금액이 일치하지 않습니다. (등록금액: ${prepared.amount}, 요청금액: ${String(input.amount)})`,
      );
    }
    return undefined;
  } catch (err) {
    if (err instanceof CheckoutRefusal) {
      return {
        imp_uid: null,
        merchant_uid: merchantUid,
        success: false,
        imp_success: false,
        error_code: err.errorCode,
        error_msg: err.message,
      };
    }
    throw err;
  }
}

function run(engine: Engine, input: PayInput, mid: string): PayResult {
  const now = engine.clock.now();
  const method = input.pay_method ?? "card";
  const payment = newPayment({
    impUid: engine.ids.impUid(),
    merchantUid: input.merchant_uid as string,
    payMethod: method,
    channel: input.channel ?? "pc",
    pgId: mid,
    sandbox: input.testChannel ?? engine.options.testChannel,
    amount: input.amount as number,
    name: input.name ?? null,
    now,
    seq: engine.ids.next(),
    escrow: input.escrow === true,
    currency: input.currency ?? "KRW",
    buyer: input,
    customData: input.custom_data,
    userAgent: input.user_agent ?? null,
    customerUid: input.customer_uid ?? null,
    customerUidUsage: input.customer_uid ? "issue" : null,
    noticeUrls: noticeUrls(input.notice_url),
    taxFree: typeof input.tax_free === "number" ? input.tax_free : 0,
  });
  engine.store.addPayment(payment);

  const card = {
    code:
      input.card?.code ?? (typeof input.card?.direct?.code === "string" ? input.card.direct.code : undefined),
    number: input.card?.number,
  };
  const testCard = {
    code: card.code ?? DEFAULT_TEST_CARD.code,
    number: card.number ?? DEFAULT_TEST_CARD.number,
  };
  const outcome = input.outcome;
  if (outcome === "close") return fail(engine, payment, CLOSED);
  if (typeof outcome === "object" && outcome !== null)
    return fail(engine, payment, describeDecline(outcome.decline));
  if (outcome !== "approve") throw new TypeError(`outcome must be "approve", "close" or { decline }`);

  if (method === "card") {
    const decline = findDecline(engine.store.declines, {
      customerUid: input.customer_uid ?? null,
      cardNumber: testCard.number,
      cardCode: testCard.code,
    });
    if (decline) return fail(engine, payment, decline);
  }
  if (input.customer_uid) {
    issueBillingKey(engine, payment, input, testCard);
    return result(payment, true);
  }
  if (method === "vbank") {
    issueVirtualAccount(engine, payment, input.vbank_due);
    engine.notify(payment, "ready");
    return result(payment, true);
  }
  approve(engine, payment, method, testCard, input);
  engine.notify(payment, "paid");
  return result(payment, true);
}

function approve(
  engine: Engine,
  payment: StoredPayment,
  method: string,
  testCard: { code: string; number: string },
  input: PayInput,
): void {
  const v = payment.view;
  const now = engine.clock.now();
  v.status = "paid";
  v.paid_at = now;
  v.pg_tid = engine.ids.pgTid();
  v.receipt_url = receiptUrl(engine.baseUrl, v.imp_uid);
  if (method === "card") {
    v.card_code = testCard.code;
    v.card_name = cardName(testCard.code);
    v.card_number = maskCardNumber(testCard.number);
    v.card_type = 0;
    v.card_quota = typeof input.card?.direct?.quota === "number" ? input.card.direct.quota : 0;
    v.apply_num = engine.ids.applyNum();
  } else if (method === "trans") {
    v.bank_code = "088";
    v.bank_name = "신한은행";
  }
  engine.touch(payment);
}

function fail(engine: Engine, payment: StoredPayment, decline: Decline): PayResult {
  const v = payment.view;
  v.status = "failed";
  v.failed_at = engine.clock.now();
  v.fail_reason = decline.message;
  engine.touch(payment);
  // No webhook: iamport does not notify failed window payments.
  return { ...result(payment, false), error_code: decline.code, error_msg: decline.message };
}

function result(payment: StoredPayment, success: boolean): PayResult {
  const v = payment.view;
  return {
    imp_uid: v.imp_uid,
    merchant_uid: v.merchant_uid,
    success,
    imp_success: success,
    status: v.status === "cancelled" ? "paid" : v.status,
    pay_method: v.pay_method,
    paid_amount: v.status === "paid" ? v.amount : 0,
    name: v.name,
    pg_provider: v.pg_provider,
    pg_tid: v.pg_tid,
    buyer_name: v.buyer_name,
    buyer_email: v.buyer_email,
    buyer_tel: v.buyer_tel,
    buyer_addr: v.buyer_addr,
    buyer_postcode: v.buyer_postcode,
    pg_type: "payment",
    emb_pg_provider: v.emb_pg_provider,
    custom_data: v.custom_data === null ? null : safeParse(v.custom_data),
    paid_at: v.paid_at,
    receipt_url: v.receipt_url,
    apply_num: v.apply_num,
    card_name: v.card_name,
    card_number: v.card_number,
    card_quota: v.card_quota,
    currency: v.currency,
    vbank_num: v.vbank_num,
    vbank_name: v.vbank_name,
    vbank_holder: v.vbank_holder,
    vbank_date: v.vbank_date,
    customer_uid: v.customer_uid,
  };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
