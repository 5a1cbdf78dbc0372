/**
 * What each audience sees of an order: the merchant API gets everything; the
 * public status route gets the state and what a buyer needs to pay a virtual
 * account, never personal data.
 */
import type { OwedRefund } from "../ledger/owed-refund.js";
import { owedRefundView } from "../ledger/owed-refund-view.js";
import type { MerchantOrderBody, PublicStatusBody } from "./api-responses.js";
import type { Order, OrderEvent } from "./order.js";

export function merchantOrderView(
  order: Order,
  history: OrderEvent[],
  owedRefunds: OwedRefund[] = [],
): MerchantOrderBody {
  return {
    merchant_uid: order.merchantUid,
    status: order.status,
    amount: order.amount,
    tax_free: order.taxFree,
    currency: order.currency,
    name: order.name,
    pay_method: order.payMethod,
    buyer: order.buyer,
    escrow: order.escrow,
    kicc_products: order.kiccProducts ?? null,
    imp_uid: order.impUid ?? null,
    paid_at: order.paidAt ?? null,
    fail_reason: order.failReason ?? null,
    vbank: order.vbank
      ? {
          bank_name: order.vbank.bankName,
          bank_code: order.vbank.bankCode ?? null,
          number: order.vbank.number,
          holder: order.vbank.holder,
          due_at: order.vbank.dueAt,
        }
      : null,
    // A forged order's money is the forged payment, refunded in full by this service (its refund owed):
    // what went back to the buyer is that refund, not the 0 of refunds the merchant made.
    refunded_amount: order.status === "forged" ? (order.forgery?.refundedAmount ?? 0) : order.refundedAmount,
    refundable_amount:
      order.status === "paid" || order.status === "partially_refunded"
        ? order.amount - order.refundedAmount
        : 0,
    refunds: order.refunds.map((refund) => ({
      cancellation_id: refund.cancellationId,
      amount: refund.amount,
      reason: refund.reason,
      cancelled_at: refund.cancelledAt,
    })),
    forgery: order.forgery
      ? {
          imp_uid: order.forgery.impUid,
          paid_amount: order.forgery.paidAmount,
          expected_amount: order.forgery.expectedAmount,
          refund: order.forgery.refund,
          refunded_amount: order.forgery.refundedAmount,
        }
      : null,
    refunds_owed: owedRefunds.map(owedRefundView),
    request_pay: order.requestPay,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
    history: history.map((event) => ({
      at: event.at,
      from: event.from,
      to: event.to,
      source: event.source,
      reason: event.reason,
      imp_uid: event.impUid ?? null,
    })),
  };
}

export function publicStatusView(order: Order): PublicStatusBody {
  return {
    merchant_uid: order.merchantUid,
    status: order.status,
    amount: order.amount,
    ...(order.status === "awaiting_deposit" && order.vbank
      ? {
          vbank: {
            bank_name: order.vbank.bankName,
            number: order.vbank.number,
            holder: order.vbank.holder,
            due_at: order.vbank.dueAt,
          },
        }
      : {}),
  };
}
