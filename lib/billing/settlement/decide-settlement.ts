/**
 * Settlement's decisions, pure: given an attempt and what iamport holds under
 * its merchant_uid, what happens to the money (settle the attempt with it,
 * keep it, apply it to a cycle that waits for it, or refund it). No I/O:
 * every rule here is a unit test. The executors (apply-charge-payment.ts,
 * settle-charge.ts, late-payment.ts) carry a decision out and decide again on
 * a lost race.
 */
import type { Payment } from "../../iamport/schemas.js";
import { holdsMoney } from "../../orders/rules/payment-facts.js";
import type { AttemptOutcome, ChargeAttempt } from "../charge-attempt.js";
import { isTerminal, outcomeFromPayment, type VerifyContext } from "../rules/charge-attempt-machine.js";
import type { Subscription } from "../subscription.js";

/**
 * What iamport's record of `payment` (under the attempt's merchant_uid) does to `attempt`:
 *
 * - `settle`: the attempt is open and the record is conclusive: settle it with `outcome`;
 * - `none`: the attempt is open and the record says nothing conclusive yet;
 * - `record_cancel`: the attempt keeps this payment and iamport has cancelled more of it than the
 *   attempt records (a refund made in iamport's console): recorded, with its event;
 * - `keep`: the attempt is paid and this is its own payment (or one that holds no money): nothing to
 *   add, but a refund owed for the attempt's payment is carried on and the subscription brought in line;
 * - `refund_second`: the attempt is paid and this is a second payment holding money: refunded in full;
 * - `catch_up`: the attempt was settled as not paid and the record holds no money: the subscription
 *   is brought in line with the attempt;
 * - `late`: the attempt was settled as not paid and iamport holds money for it: apply it to the cycle or
 *   refund it ({@link decideLatePayment}, once the subscription is read).
 */
export type ChargePaymentDecision =
  | { kind: "settle"; outcome: AttemptOutcome }
  | { kind: "none" }
  | { kind: "record_cancel" }
  | { kind: "keep" }
  | { kind: "refund_second" }
  | { kind: "catch_up" }
  | { kind: "late" };

export function decideChargePayment(
  attempt: ChargeAttempt,
  payment: Payment,
  verify: VerifyContext,
): ChargePaymentDecision {
  if (attempt.status === "paid") {
    if (cancelNotRecorded(attempt, payment)) return { kind: "record_cancel" };
    const held = Math.max(0, payment.amount - payment.cancel_amount);
    // Held money, whatever status a partial cancel leaves (`paid` or `cancelled`: undocumented).
    if (payment.imp_uid === attempt.impUid || !holdsMoney(payment) || held === 0) return { kind: "keep" };
    return { kind: "refund_second" };
  }
  if (isTerminal(attempt)) return holdsMoney(payment) ? { kind: "late" } : { kind: "catch_up" };
  const outcome = outcomeFromPayment(attempt, payment, verify);
  return outcome ? { kind: "settle", outcome } : { kind: "none" };
}

/**
 * Whether iamport's record of the payment `attempt` keeps shows more cancelled than the attempt records.
 * A surplus attempt's payment is refunded by us (a refund owed), so its cancels are ours, not news.
 */
export function cancelNotRecorded(
  attempt: ChargeAttempt,
  payment: Pick<Payment, "imp_uid" | "cancel_amount">,
): boolean {
  return (
    attempt.status === "paid" &&
    !attempt.surplus &&
    payment.imp_uid === attempt.impUid &&
    Math.min(payment.cancel_amount, attempt.amount) > (attempt.cancelled?.amount ?? 0)
  );
}

export type LatePaymentDecision =
  | { kind: "apply" }
  | { kind: "refund"; alert: string; why: string }
  | { kind: "ignore"; why: string };

/**
 * What to do with iamport's record (`outcome`) of an attempt already settled
 * as not paid. Pure. Apply only when the subscription still waits on that
 * cycle, is charged, and no other attempt of the cycle is in flight (which
 * could be charged as well); any other paid record is money we must give back.
 */
export function decideLatePayment(input: {
  sub: Subscription | null;
  attempt: ChargeAttempt;
  outcome: AttemptOutcome | null;
  /** Another attempt of the attempt's cycle is claimed or unknown. */
  otherAttemptOpen: boolean;
}): LatePaymentDecision {
  const { sub, attempt, outcome } = input;
  if (attempt.status === "paid") return { kind: "ignore", why: "the attempt is already paid" };
  if (!outcome || (outcome.kind !== "paid" && outcome.kind !== "rejected"))
    return { kind: "ignore", why: "iamport holds no payment for it" };
  // A refund once decided is final: the payment is being given back, so it can never become the cycle's.
  if (outcome.kind === "paid" && attempt.lateRefund?.impUid === outcome.impUid)
    return { kind: "refund", alert: "double_charge_refunded", why: "its refund was decided already" };
  if (outcome.kind === "rejected") {
    if (!outcome.impUid || !outcome.refundable) return { kind: "ignore", why: outcome.reason };
    return { kind: "refund", alert: outcome.reason, why: outcome.reason };
  }
  const refund = (why: string): LatePaymentDecision => ({
    kind: "refund",
    alert: "double_charge_refunded",
    why,
  });
  if (!sub) return refund("the subscription is gone");
  if (sub.cycle !== attempt.cycle)
    return refund(`cycle ${attempt.cycle} is already settled (paid by another attempt, or skipped)`);
  // The cycle is still owed (a pause never forgives a due cycle; dunning that ran out left it unpaid):
  // the customer is entitled to it, so the charge is kept. Only a subscription ended now gives it back.
  if (sub.status === "canceled") return refund("the subscription is canceled");
  if (input.otherAttemptOpen) return refund(`attempt ${sub.attempt} of the cycle is in flight`);
  return { kind: "apply" };
}

/**
 * Why a paid attempt is a payment its subscription does not take, or null
 * when it takes it. Pure. A payment is a cycle's only while the subscription
 * waits on that cycle (`applyChargeOutcome`); once the cycle was paid by
 * another attempt or skipped, or the subscription is gone, it is a second
 * charge, refunded in full (invariant 3).
 */
export function whySurplusPayment(sub: Subscription | null, attempt: ChargeAttempt): string | null {
  if (attempt.status !== "paid") return null;
  if (!sub) return "the subscription is gone";
  if (sub.cycle !== attempt.cycle)
    return `cycle ${attempt.cycle} is already settled (paid by another attempt, or skipped)`;
  if (sub.status === "canceled") return "the subscription was canceled before the charge came back";
  return null;
}

/** The earlier attempts of a cycle whose merchant_uid may still carry a payment: settled, not paid, not refunded. */
export function earlierAttemptsToCheck(attempts: ReadonlyArray<ChargeAttempt | null>): ChargeAttempt[] {
  return attempts.filter(
    (a): a is ChargeAttempt =>
      a !== null && isTerminal(a) && (a.status === "error" || a.status === "declined") && !a.lateRefund,
  );
}
