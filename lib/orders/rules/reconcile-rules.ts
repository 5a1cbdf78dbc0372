/**
 * What the reconciler does with a due order after verifyPayment has applied
 * iamport's record: expire a checkout or a virtual account whose deadline
 * passed without money, settle a flag iamport now agrees with, or look again
 * later. Pure: every rule is a unit test. iamport is always read first, so a
 * deposit whose webhook never came is paid, never expired.
 */

import type { Order } from "../order.js";
import { DEPOSIT_POLL_MS, isIssuedVirtualAccount } from "./order-machine.js";
import { holdsMoney, type PaymentFacts, unixToIso } from "./payment-facts.js";

export type ReconcileDecision =
  /** Not due, or nothing left to do. */
  | { kind: "none"; reason: string }
  /** The deadline passed with no money at iamport: `expired`, off the due index. */
  | { kind: "expire"; next: Order; reason: string }
  /** iamport agrees with the order: the flag is cleared, the state stays. */
  | { kind: "settle"; next: Order; reason: string }
  /** Not decidable yet: look again at `next.checkAfter`. */
  | { kind: "recheck"; next: Order; reason: string };

export interface ReconcileFacts {
  /** iamport's record as verifyPayment read it; null when iamport has none. */
  payment: PaymentFacts | null;
  /** Every attempt under the merchant_uid, when verifyPayment read them all (open checkouts and accounts). */
  payments?: readonly PaymentFacts[];
  /** verifyPayment refused the record (other merchant_uid, not KICC, test channel in live mode). */
  rejected: boolean;
}

export interface ReconcileContext {
  now: Date;
  /** How long to wait before looking again at an order that could not be decided. */
  retryAfterMs: number;
}

/** Decides for `order`, which verifyPayment has just brought in line with `facts.payment`. */
export function decideReconcile(
  order: Order,
  facts: ReconcileFacts,
  ctx: ReconcileContext,
): ReconcileDecision {
  if (!order.checkAfter) return { kind: "none", reason: "not flagged for the reconciler" };
  const nowMs = ctx.now.getTime();
  if (Date.parse(order.checkAfter) > nowMs) return { kind: "none", reason: "not due yet" };

  const at = ctx.now.toISOString();
  const stamp = (patch: Partial<Order>): Order => ({
    ...order,
    ...patch,
    version: order.version + 1,
    updatedAt: at,
  });
  const recheck = (reason: string, when = nowMs + ctx.retryAfterMs): ReconcileDecision => ({
    kind: "recheck",
    reason,
    next: stamp({ checkAfter: new Date(when).toISOString() }),
  });
  const { payment } = facts;
  const all = facts.payments ?? (payment ? [payment] : []);
  if (facts.rejected) return recheck("iamport's record was refused for this order; needs a person");

  switch (order.status) {
    case "pending":
    case "failed": {
      const open = all.find((p) => holdsMoney(p) || (p.status === "ready" && isIssuedVirtualAccount(p)));
      if (open) {
        return recheck(`iamport reports ${open.status} but the order was not moved; looking again`);
      }
      return {
        kind: "expire",
        reason: payment
          ? `checkout deadline passed; iamport has only a ${payment.status} attempt`
          : "checkout deadline passed; iamport has no payment",
        next: stamp({ status: "expired", checkAfter: undefined }),
      };
    }
    case "awaiting_deposit": {
      if (!payment) return recheck("iamport has no record of the issued virtual account");
      if (all.some(holdsMoney)) return recheck("iamport reports the deposit but the order was not moved");
      // A deadline iamport extended (console) wins over the one we stored, and a buyer who reopened the
      // window has a second account under the same merchant_uid: the order is open until the last one closes.
      const dueMs = latestDeadline(order, all);
      if (dueMs > nowMs) {
        return recheck(
          "no deposit yet; looking again within the hour",
          Math.min(dueMs, nowMs + DEPOSIT_POLL_MS),
        );
      }
      return {
        kind: "expire",
        reason: `deposit deadline passed; iamport reports the virtual account ${payment.status}`,
        next: stamp({ status: "expired", checkAfter: undefined }),
      };
    }
    case "paid":
    case "partially_refunded":
    case "refunded": {
      if (!payment) return recheck("iamport has no record of the payment");
      if (Math.min(payment.cancel_amount, order.amount) !== order.refundedAmount) {
        return recheck(
          `iamport reports ${payment.cancel_amount} cancelled, the order ${order.refundedAmount}`,
        );
      }
      return {
        kind: "settle",
        reason: "reconciled: iamport's balance agrees with the order",
        next: stamp({ checkAfter: undefined }),
      };
    }
    case "forged": {
      if (order.forgery?.refund === "pending") return recheck("forgery refund not confirmed yet");
      if (order.forgery?.refund === "none" && order.vbank) {
        // A virtual account issued for the wrong amount: a deposit into it must be found and refunded.
        const dueMs = latestDeadline(order, all);
        if (dueMs > nowMs)
          return recheck(
            "forged virtual account still open; looking again within the hour",
            Math.min(dueMs, nowMs + DEPOSIT_POLL_MS),
          );
      }
      return { kind: "settle", reason: "forged order settled", next: stamp({ checkAfter: undefined }) };
    }
    case "expired":
      return { kind: "settle", reason: "already expired", next: stamp({ checkAfter: undefined }) };
  }
}

/** The last deposit deadline of the order's issued accounts (ours, and any iamport reports), in ms. */
function latestDeadline(order: Order, payments: readonly PaymentFacts[]): number {
  const stored = Date.parse(order.vbank?.dueAt ?? order.checkAfter ?? "") || 0;
  const reported = payments
    .filter((p) => p.status === "ready" && isIssuedVirtualAccount(p))
    .map((p) => Date.parse(unixToIso(p.vbank_date) ?? "") || 0);
  return Math.max(stored, ...reported);
}
