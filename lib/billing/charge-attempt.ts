/**
 * One charge attempt of one cycle, as this service stores it: the model its
 * state machine (rules/charge-attempt-machine.ts) moves forward, and the
 * outcomes an answer or a lookup can give it.
 */
import type { DeclineSeverity } from "./rules/classify-decline.js";

export const ATTEMPT_STATUSES = ["claimed", "unknown", "paid", "declined", "error", "rejected"] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** How the outcome became known. */
export type ResolvedBy = "response" | "lookup" | "webhook";

export interface ChargeAttempt {
  subscriptionId: string;
  cycle: number;
  attempt: number;
  merchantUid: string;
  /** The billing key charged (the subscription's card at claim time). */
  customerUid: string;
  amount: number;
  name: string;
  status: AttemptStatus;
  version: number;
  /** `again` calls made under this merchant_uid: 1, or 2 after one safe re-send. */
  sends: number;
  claimedAt: string;
  lastSentAt: string;
  /** While claimed: until when the claim is its worker's. Past it, the call may or may not have happened. */
  leaseUntil?: string;
  /**
   * While claimed or unknown: when a resolver should look (the open-attempt
   * index). Starts at the claim's lease; the dispatcher moves it when it queues a lookup.
   */
  checkAfter?: string;
  unknownSince?: string;
  lookups: number;
  severity?: DeclineSeverity;
  reason?: string;
  /** iamport's envelope code for a refused request. */
  errorCode?: number | null;
  impUid?: string;
  paidAt?: string;
  /** For a rejected payment: whether its automatic refund went through. */
  refund?: "done" | "failed";
  resolvedBy?: ResolvedBy;
  /** Paid after all: the status it had been settled with before iamport's record said paid. */
  lateFrom?: AttemptStatus;
  /** A payment found under this merchant_uid after the cycle no longer wanted it, refunded in full. */
  lateRefund?: { impUid: string; amount: number; at: string };
  /**
   * Paid, but the subscription did not take it (its cycle already paid by another attempt, or skipped,
   * or the subscription gone): why. Written with the paid status; refunded in full (`lateRefund`).
   */
  surplus?: string;
  /**
   * What iamport has cancelled of the payment this paid attempt keeps: the merchant refunded the cycle
   * in iamport's console (this service never cancels a kept charge). `amount` is iamport's total
   * `cancel_amount`, `at` its last cancel. Absent while nothing is cancelled.
   */
  cancelled?: { amount: number; at: string };
  /** When the kept-charge audit last read this paid attempt's payment and found it as recorded, plus a day. */
  auditAfter?: string;
  /**
   * A refused attempt (non-zero code) is looked up once more after the settle window: a refusal can
   * hide a real charge, and no later attempt may come to find it (dunning over, a cancel right after).
   * While set, the attempt stays on the open-attempt index at `checkAfter`.
   */
  recheck?: boolean;
  updatedAt: string;
}

export type AttemptOutcome =
  | { kind: "paid"; impUid: string; paidAt?: string }
  | {
      kind: "declined";
      severity: DeclineSeverity;
      reason: string;
      impUid?: string;
      /** Answered as a refused request (non-zero code): re-checked once like any refusal. */
      refused?: boolean;
    }
  | { kind: "error"; reason: string; code?: number | null }
  | {
      kind: "rejected";
      reason: string;
      impUid?: string;
      /** What iamport still holds for the rejected payment; refunded in full (invariant 2). */
      refundable?: number;
      refund?: "done" | "failed";
    };
