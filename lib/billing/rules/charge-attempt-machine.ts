/**
 * The state machine of one charge attempt (pure; the model is ../charge-attempt.ts):
 *
 *   claimed ──answer──► paid | declined (soft/hard) | error (request refused) | rejected (failed verification)
 *   claimed ──timeout, 5xx, lost answer, crash──► unknown ──lookup──► paid | declined | …
 *   unknown ──lookup finds nothing, long enough after the send──► claimed (sent again, same merchant_uid, once)
 *
 * The claim is written (conditionally) before iamport is called, so a
 * duplicate message finds it; an attempt is never sent again before its
 * merchant_uid was looked up at iamport (invariant 3). Re-sending under the
 * SAME merchant_uid is what makes that one retry safe: had the first send
 * been charged after all, iamport refuses the second as already paid.
 */
import { holdsMoney, type PaymentFacts } from "../../orders/rules/payment-facts.js";
import type { AttemptOutcome, AttemptStatus, ChargeAttempt, ResolvedBy } from "../charge-attempt.js";
import { classifyDecline } from "./classify-decline.js";
import type { CycleOutcome } from "./subscription-machine.js";

/** Re-sends under one merchant_uid: the first send and one after a lookup found nothing. */
export const MAX_SENDS = 2;

const TERMINAL: ReadonlySet<AttemptStatus> = new Set(["paid", "declined", "error", "rejected"]);

/** Whether the attempt has its outcome (paid, declined, error, rejected). */
export function isTerminal(attempt: ChargeAttempt): boolean {
  return TERMINAL.has(attempt.status);
}

const plus = (now: Date, ms: number) => new Date(now.getTime() + ms).toISOString();

/** A claimed attempt, about to be sent for the first time. */
export function newClaim(
  init: Pick<
    ChargeAttempt,
    "subscriptionId" | "cycle" | "attempt" | "merchantUid" | "customerUid" | "amount" | "name"
  >,
  now: Date,
  leaseMs: number,
): ChargeAttempt {
  const at = now.toISOString();
  return {
    ...init,
    status: "claimed",
    version: 1,
    sends: 1,
    claimedAt: at,
    lastSentAt: at,
    leaseUntil: plus(now, leaseMs),
    checkAfter: plus(now, leaseMs),
    lookups: 0,
    updatedAt: at,
  };
}

/** A claim whose owner's lease ran out without an outcome: the call may or may not have happened. */
export function claimLapsed(attempt: ChargeAttempt, now: Date): boolean {
  return attempt.status === "claimed" && Date.parse(attempt.leaseUntil ?? attempt.claimedAt) <= now.getTime();
}

/** The call's outcome is not known (timeout, 5xx, lost answer, a lapsed claim): look it up before anything else. */
export function markUnknown(
  attempt: ChargeAttempt,
  reason: string,
  now: Date,
  lookAgainMs: number,
): ChargeAttempt {
  return {
    ...attempt,
    status: "unknown",
    unknownSince: attempt.unknownSince ?? now.toISOString(),
    reason,
    checkAfter: plus(now, lookAgainMs),
    version: attempt.version + 1,
    updatedAt: now.toISOString(),
  };
}

/** A lookup found nothing conclusive; look again later. */
export function markLookedUp(attempt: ChargeAttempt, now: Date, lookAgainMs: number): ChargeAttempt {
  return {
    ...attempt,
    lookups: attempt.lookups + 1,
    checkAfter: plus(now, lookAgainMs),
    version: attempt.version + 1,
    updatedAt: now.toISOString(),
  };
}

/** Claimed again for one more send under the same merchant_uid. */
export function markResent(attempt: ChargeAttempt, now: Date, leaseMs: number): ChargeAttempt {
  return {
    ...attempt,
    status: "claimed",
    sends: attempt.sends + 1,
    lookups: attempt.lookups + 1,
    lastSentAt: now.toISOString(),
    leaseUntil: plus(now, leaseMs),
    checkAfter: plus(now, leaseMs),
    version: attempt.version + 1,
    updatedAt: now.toISOString(),
  };
}

/** Records the outcome; the attempt leaves the resolver's index. */
export function settleAttempt(
  attempt: ChargeAttempt,
  outcome: AttemptOutcome,
  resolvedBy: ResolvedBy,
  now: Date,
): ChargeAttempt {
  const next: ChargeAttempt = {
    ...attempt,
    status: outcome.kind,
    resolvedBy,
    leaseUntil: undefined,
    checkAfter: undefined,
    recheck: undefined,
    version: attempt.version + 1,
    updatedAt: now.toISOString(),
  };
  if (outcome.kind === "paid") {
    next.impUid = outcome.impUid;
    next.paidAt = outcome.paidAt ?? now.toISOString();
    next.reason = undefined;
  } else {
    next.reason = outcome.reason;
    if (outcome.kind === "declined") next.severity = outcome.severity;
    if (outcome.kind === "error") next.errorCode = outcome.code ?? null;
    if (outcome.kind === "rejected" && outcome.refund) next.refund = outcome.refund;
    if ("impUid" in outcome && outcome.impUid) next.impUid = outcome.impUid;
  }
  return next;
}

/** The terminal attempt as the subscription's rules see it. */
export function cycleOutcomeOf(attempt: ChargeAttempt): CycleOutcome | null {
  // A payment the subscription does not take is refunded, never applied.
  if (attempt.surplus) return null;
  const base = { cycle: attempt.cycle, attempt: attempt.attempt, merchantUid: attempt.merchantUid };
  const reason = attempt.reason ?? attempt.status;
  switch (attempt.status) {
    case "paid":
      return { ...base, kind: "paid", impUid: attempt.impUid ?? "" };
    case "declined":
      return {
        ...base,
        kind: "declined",
        severity: attempt.severity ?? "soft",
        reason,
        customerUid: attempt.customerUid,
        ...(attempt.impUid ? { impUid: attempt.impUid } : {}),
      };
    case "error":
      return { ...base, kind: "error", reason, customerUid: attempt.customerUid };
    case "rejected":
      return { ...base, kind: "rejected", reason, ...(attempt.impUid ? { impUid: attempt.impUid } : {}) };
    default:
      return null;
  }
}

export interface VerifyContext {
  mode: "live" | "test";
  /** Our billing MID; when set, a payment through another MID is not ours. */
  billingMid?: string;
}

const unixToIso = (seconds: number | null | undefined) =>
  seconds ? new Date(seconds * 1000).toISOString() : undefined;

/**
 * What iamport's record of this attempt's merchant_uid says (invariant 1:
 * only iamport's own record makes a cycle paid), or null when it says nothing
 * conclusive yet. A paid record that is not exactly ours is `rejected`.
 */
export function outcomeFromPayment(
  attempt: ChargeAttempt,
  payment: PaymentFacts & { customer_uid?: string | null },
  context: VerifyContext,
): AttemptOutcome | null {
  const impUid = payment.imp_uid;
  const problem = (() => {
    if (payment.merchant_uid !== attempt.merchantUid) return "merchant_uid_mismatch";
    if (payment.pg_provider !== "kicc") return "not_kicc";
    if (context.billingMid && payment.pg_id !== context.billingMid) return "unknown_mid";
    if (context.mode === "live" && payment.sandbox) return "test_channel_in_live_mode";
    if (payment.customer_uid && payment.customer_uid !== attempt.customerUid) return "customer_uid_mismatch";
    return null;
  })();
  // Paid, or partly refunded by hand whatever status iamport then shows (`paid` or `cancelled`:
  // undocumented), so both read the same.
  if (holdsMoney(payment)) {
    if (problem) return { kind: "rejected", reason: problem, impUid, refundable: refundable(payment) };
    if (payment.amount !== attempt.amount || payment.currency !== "KRW") {
      return { kind: "rejected", reason: "amount_mismatch", impUid, refundable: refundable(payment) };
    }
    const paidAt = unixToIso(payment.paid_at);
    return { kind: "paid", impUid, ...(paidAt ? { paidAt } : {}) };
  }
  if (problem) return null; // another payment's failure says nothing about ours
  if (payment.status === "failed") {
    const reason = payment.fail_reason || "declined";
    return { kind: "declined", severity: classifyDecline(reason), reason, impUid };
  }
  if (payment.status === "cancelled") {
    // Charged, then cancelled at iamport (a console refund): a person decided; do not charge again blindly.
    return { kind: "rejected", reason: "cancelled_at_iamport", impUid, refundable: 0 };
  }
  return null;
}

function refundable(payment: PaymentFacts): number {
  return Math.max(0, payment.amount - payment.cancel_amount);
}
