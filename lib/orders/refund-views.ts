/** What the merchant API answers for a refund (the same body when a retry replays it). */
import type { RefundResponse } from "./api-responses.js";
import type { RefundResult } from "./refund.js";

export function refundResultView(
  merchantUid: string,
  idempotencyKey: string,
  result: RefundResult,
): RefundResponse {
  return {
    merchant_uid: merchantUid,
    idempotency_key: idempotencyKey,
    refund: {
      cancellation_id: result.cancellationId,
      amount: result.amount,
      tax_free: result.taxFree,
      reason: result.reason,
      cancelled_at: result.cancelledAt,
    },
    order: {
      status: result.order.status,
      amount: result.order.amount,
      refunded_amount: result.order.refundedAmount,
      refundable_amount: result.order.refundableAmount,
    },
  };
}
