/**
 * A merchant's refund request as this service stores it: keyed by
 * merchant_uid + Idempotency-Key, written before iamport is called so a
 * retried request refunds once (architecture invariant 3 applied to refunds).
 */
import type { OrderStatus } from "./order.js";

/** What we send to `POST /payments/cancel`, fixed when the request is first accepted. */
export interface RefundPlan {
  impUid: string;
  amount: number;
  /** Tax-free part of `amount`; sent only when the order had a tax-free part. */
  taxFree: number;
  /** Whether to send `tax_free` at all (KICC does not zero it by itself). */
  sendTaxFree: boolean;
  /** The refundable balance we believed in: sent as `checksum`. */
  checksum: number;
  reason: string;
  /** Virtual accounts only: the refund account (bank as a standard code, account digits only). */
  refundAccount?: { holder: string; bankCode: string; account: string };
}

/** The refund as iamport recorded it, and the order once it was applied. */
export interface RefundResult {
  /** iamport's `cancellation_id` (null only for records that predate it). */
  cancellationId: string | null;
  amount: number;
  taxFree: number;
  reason: string;
  /** ISO time from iamport's `cancel_history[].cancelled_at`. */
  cancelledAt: string | null;
  order: {
    status: OrderStatus;
    amount: number;
    refundedAmount: number;
    refundableAmount: number;
  };
}

/** A refusal after the request was accepted, replayed as the same 409. */
export interface RefundRefusal {
  /** iamport's refusals, or the refund rules' own (`order_not_refundable`…) when a retry planned again. */
  code: "balance_mismatch" | "refund_refused" | (string & {});
  message: string;
  details?: Record<string, unknown>;
}

export type RefundRequestState = "in_progress" | "succeeded" | "refused";

export interface RefundRequestRecord {
  merchantUid: string;
  idempotencyKey: string;
  /** Hash of the request body: the same key with a different body is a conflict. */
  requestHash: string;
  state: RefundRequestState;
  /** Bumped by each attempt that takes the request over; every update is conditional on it. */
  attempt: number;
  /** While `in_progress`: the attempt owns the request until then (ISO); later ones look up first. */
  leaseUntil: string;
  /** The refund account is not stored here (personal data); a retry brings it again. */
  plan: Omit<RefundPlan, "refundAccount">;
  result?: RefundResult;
  refusal?: RefundRefusal;
  /**
   * Set when iamport refused this request's first (and only) cancel because another refund of ours had
   * moved the balance: nothing of it was refunded, so a retry with the same key plans again from the
   * balance the order holds then, instead of sending the stale `checksum` once more.
   */
  replan?: boolean;
  createdAt: string;
  updatedAt: string;
}
