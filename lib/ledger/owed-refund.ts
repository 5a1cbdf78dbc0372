/**
 * A refund this service owes: money iamport holds under one of our
 * merchant_uids that no order or cycle keeps (a forged amount, a second
 * payment, a charge for a cycle that will not be served, an orphan). The
 * decision is written durably, in the same conditional write that records it
 * (invariant 8), and carried out by `payOwedRefund` until iamport's own record
 * shows the balance back at 0. Pure: every step is a unit test.
 *
 *   pending ──cancel confirmed, or balance 0 at iamport──► done
 *   pending ──a deposited virtual account (no refund account)──► needs_account ──account given──► done
 *   pending ──iamport refuses the cancel itself──► needs_person (re-read daily) ──balance 0──► done
 */
import { holdsMoney, type PaymentFacts, refundableBalance } from "../orders/rules/payment-facts.js";

export const OWED_REFUND_REASONS = [
  /** The amount paid differs from the order's or the charge's. */
  "forged",
  /** A second payment under a merchant_uid whose order (or charge) kept another one. */
  "second_payment",
  /** A charge for a cycle the subscription will not serve (paid by another attempt, skipped, ended). */
  "surplus",
  /** A charge that failed verification (channel, MID, customer_uid). */
  "rejected_charge",
  /** A payment under one of our merchant_uids that no order or attempt of ours knows. */
  "orphan",
] as const;
export type OwedRefundReason = (typeof OWED_REFUND_REASONS)[number];

export const OWED_REFUND_STATES = ["pending", "needs_account", "needs_person", "done"] as const;
export type OwedRefundState = (typeof OWED_REFUND_STATES)[number];

/** Whose merchant_uid the payment came under: the item lives in that aggregate's partition. */
export type OwedRefundOwner =
  | { kind: "order"; merchantUid: string }
  | { kind: "charge"; subscriptionId: string; cycle: number; attempt: number };

export interface OwedRefund {
  impUid: string;
  merchantUid: string;
  owner: OwedRefundOwner;
  reason: OwedRefundReason;
  /** The alert name a person sees when the refund is made or gets stuck. */
  alert: string;
  /** Why, in words. */
  detail: string;
  /** What iamport held for the payment when the refund was decided. */
  amount: number;
  payMethod: string;
  state: OwedRefundState;
  /** Bumped by every write; every write is conditional on it. */
  version: number;
  /** Cancels sent (each with `checksum`, so at most one can ever take money back). */
  tries: number;
  /** While not done: when the executor looks next (the sparse `OWED#` index). */
  checkAfter?: string;
  /** iamport's cancel_amount once done. */
  refundedAmount?: number;
  /** The last refusal or failure, for the person who has to act. */
  lastError?: string;
  decidedAt: string;
  updatedAt: string;
  doneAt?: string;
}

/** A fresh decision: pending, due for the executor at once. */
export function newOwedRefund(
  init: Pick<OwedRefund, "impUid" | "merchantUid" | "owner" | "reason" | "alert" | "detail"> & {
    payment: Pick<PaymentFacts, "amount" | "cancel_amount" | "pay_method">;
  },
  now: Date,
): OwedRefund {
  const at = now.toISOString();
  const { payment, ...rest } = init;
  return {
    ...rest,
    amount: refundableBalance(payment),
    payMethod: payment.pay_method ?? "unknown",
    state: "pending",
    version: 1,
    tries: 0,
    checkAfter: at,
    decidedAt: at,
    updatedAt: at,
  };
}

/** How long a cancel in flight owns the item: above any Lambda's timeout, so only a dead worker loses it. */
export const CANCEL_LEASE_MS = 5 * 60_000;
/** Waiting on a person: iamport is re-read this often, in case the refund was made at the console. */
export const PERSON_RECHECK_MS = 24 * 60 * 60_000;
/**
 * Back-off after a failure whose outcome may change by itself (timeouts, 5xx): the next executor run
 * after the first, then 5, 15, 45 minutes... capped at 6 hours.
 */
export function retryDelayMs(tries: number): number {
  if (tries <= 1) return 0;
  return Math.min(6 * 60 * 60_000, 5 * 60_000 * 3 ** (tries - 2));
}

export type OwedRefundStep =
  /** iamport holds nothing any more: the refund is done (by us, by a retry, or at the console). */
  | { kind: "done"; next: OwedRefund }
  /** A deposited virtual account: iamport refuses a refund without the buyer's bank account. */
  | { kind: "needs_account"; next: OwedRefund }
  /** Send `POST /payments/cancel` for `amount`, with `checksum = amount`. */
  | { kind: "cancel"; amount: number };

/**
 * What to do next with `owed`, given iamport's record of the payment just
 * re-read. The whole balance is refunded, never more, whatever was refunded before.
 */
export function decideOwedRefundStep(
  owed: OwedRefund,
  payment: Pick<PaymentFacts, "status" | "amount" | "cancel_amount" | "pay_method">,
  context: { hasAccount: boolean; now: Date },
): OwedRefundStep {
  const at = context.now.toISOString();
  const balance = holdsMoney(payment) ? refundableBalance(payment) : 0;
  if (balance === 0) {
    return {
      kind: "done",
      next: {
        ...owed,
        state: "done",
        refundedAmount: payment.cancel_amount,
        checkAfter: undefined,
        doneAt: at,
        version: owed.version + 1,
        updatedAt: at,
      },
    };
  }
  if (payment.pay_method === "vbank" && !context.hasAccount) {
    return {
      kind: "needs_account",
      next: {
        ...owed,
        state: "needs_account",
        amount: balance,
        lastError: `a deposited virtual account is refunded to the buyer's bank account: POST /orders/${owed.merchantUid}/refunds with imp_uid ${owed.impUid}, refund_holder, refund_bank and refund_account`,
        // Re-read daily: a refund made at the console finishes it too.
        checkAfter: new Date(context.now.getTime() + PERSON_RECHECK_MS).toISOString(),
        version: owed.version + 1,
        updatedAt: at,
      },
    };
  }
  return { kind: "cancel", amount: balance };
}

/** The item leased for one cancel: a second executor finds the lease and leaves it. */
export function leaseForCancel(owed: OwedRefund, now: Date): OwedRefund {
  return {
    ...owed,
    tries: owed.tries + 1,
    checkAfter: new Date(now.getTime() + CANCEL_LEASE_MS).toISOString(),
    version: owed.version + 1,
    updatedAt: now.toISOString(),
  };
}

/**
 * After a cancel that did not bring the balance to 0. `refused`: iamport
 * answered and said no (its message in `error`) while the balance stayed what
 * we sent as checksum: a person must act. Otherwise (timeout, 5xx, a balance
 * that moved meanwhile) the executor tries again after a back-off.
 */
export function afterFailedCancel(
  owed: OwedRefund,
  failure: { refused: boolean; error: string },
  now: Date,
): OwedRefund {
  const delay = failure.refused ? PERSON_RECHECK_MS : retryDelayMs(owed.tries);
  return {
    ...owed,
    state: failure.refused ? "needs_person" : owed.state === "needs_account" ? "needs_account" : "pending",
    lastError: failure.error,
    checkAfter: new Date(now.getTime() + delay).toISOString(),
    version: owed.version + 1,
    updatedAt: now.toISOString(),
  };
}

/** The partition key of the aggregate a refund belongs to (the store turns it into a key). */
export function ownerId(owner: OwedRefundOwner): string {
  return owner.kind === "order" ? owner.merchantUid : owner.subscriptionId;
}
