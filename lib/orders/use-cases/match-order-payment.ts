/**
 * The ledger sweep's match for a payment (paid, or cancelled) under an order's merchant_uid:
 * the order's own payment (nothing to do), or iamport's record applied to the
 * order through the same rules as every door (a lost webhook is applied, a
 * second or forged payment becomes a refund owed). A payment under an id this
 * service issues (`ord_…`) with no order at all is an orphan, refunded in full.
 */
import { newOwedRefund } from "../../ledger/owed-refund.js";
import { payOwedRefund } from "../../ledger/pay-owed-refund.js";
import type { LedgerMatch } from "../../ledger/sweep-ledger.js";
import type { VerifyPaymentDeps } from "../deps.js";
import type { Order } from "../order.js";
import { isGeneratedMerchantUid } from "../rules/merchant-uid.js";
import { holdsMoney, type PaymentFacts } from "../rules/payment-facts.js";
import { applyPaymentRecord } from "./verify-payment.js";

export async function matchOrderPayment(
  deps: VerifyPaymentDeps,
  payment: PaymentFacts,
): Promise<LedgerMatch> {
  const order = await deps.orders.get(payment.merchant_uid);
  // A payment that holds nothing owes nothing: an orphan's full cancel, or a payment the order does not
  // keep. Only the order's own payment can still teach us something (a console cancel, its webhook lost).
  if (!holdsMoney(payment) && order?.impUid !== payment.imp_uid) return "kept";
  if (!order) return orphan(deps, payment);
  if (isKept(order, payment)) return "kept";
  const log = deps.logger.child({
    merchant_uid: order.merchantUid,
    imp_uid: payment.imp_uid,
    source: "sweep",
  });
  const before = order.refundsOwed?.length ?? 0;
  const result = await applyPaymentRecord(deps, { order, payment, source: "sweep" }, log);
  if (result.outcome === "rejected") return "rejected";
  if (result.outcome !== "applied") return "kept";
  const after = result.order;
  const decidedRefund =
    (after?.refundsOwed?.length ?? 0) > before || (after?.status === "forged" && order.status !== "forged");
  log.warn("ledger sweep: iamport's record was not applied to the order yet; applied now", {
    from: order.status,
    to: after?.status,
  });
  return decidedRefund ? "refund_owed" : "applied";
}

/** The order's own payment, as its record already says (no write, no iamport call). */
function isKept(order: Order, payment: PaymentFacts): boolean {
  if (order.refundsOwed?.includes(payment.imp_uid)) return true;
  if (order.impUid !== payment.imp_uid) return false;
  const settled =
    order.status === "paid" || order.status === "partially_refunded" || order.status === "refunded";
  return settled && order.refundedAmount === Math.min(payment.cancel_amount, order.amount);
}

async function orphan(deps: VerifyPaymentDeps, payment: PaymentFacts): Promise<LedgerMatch> {
  if (!isGeneratedMerchantUid(payment.merchant_uid)) return "foreign";
  const log = deps.logger.child({
    merchant_uid: payment.merchant_uid,
    imp_uid: payment.imp_uid,
    source: "sweep",
  });
  const owed = newOwedRefund(
    {
      impUid: payment.imp_uid,
      merchantUid: payment.merchant_uid,
      owner: { kind: "order", merchantUid: payment.merchant_uid },
      reason: "orphan",
      alert: "orphan_payment_refunded",
      detail: `a payment under ${payment.merchant_uid}, an order id of this service, with no order stored`,
      payment,
    },
    deps.clock(),
  );
  const decided = await deps.owedRefunds.putIfAbsent(owed);
  if (!decided.created) {
    await payOwedRefund(deps, decided.existing);
    return "kept";
  }
  log.error("ALERT a paid payment under one of our order ids has no order: refunding it in full", {
    alert: "orphan_payment",
    amount: payment.amount,
  });
  await payOwedRefund(deps, owed);
  return "refund_owed";
}
