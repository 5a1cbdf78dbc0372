/** What the merchant API shows of a refund owed, beside its order or subscription. */
import type { OwedRefundBody } from "../orders/api-responses.js";
import type { OwedRefund } from "./owed-refund.js";

export function owedRefundView(owed: OwedRefund): OwedRefundBody {
  return {
    imp_uid: owed.impUid,
    merchant_uid: owed.merchantUid,
    reason: owed.reason,
    detail: owed.detail,
    amount: owed.amount,
    pay_method: owed.payMethod,
    state: owed.state,
    refunded_amount: owed.refundedAmount ?? null,
    what_to_do:
      owed.state === "needs_account" || owed.state === "needs_person" ? (owed.lastError ?? null) : null,
    decided_at: owed.decidedAt,
    done_at: owed.doneAt ?? null,
  };
}
