/**
 * The subscription aggregate as this service stores it: a plan charged on a
 * KST calendar through one iamport billing key (customer_uid). iamport's
 * payment records are the truth about money; this is our verified view.
 */
import type { BillingAnchor, BillingInterval } from "./calendar.js";

export const SUBSCRIPTION_STATUSES = ["active", "past_due", "paused", "unpaid", "canceled"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface Plan {
  name: string;
  /** KRW, a positive integer, charged per cycle. */
  amount: number;
  interval: BillingInterval;
}

/** Who changed a subscription: the merchant API, a charge (consumer or webhook), or the dispatcher. */
export type SubscriptionChangeSource = "api" | "charge" | "webhook" | "dispatcher";

/**
 * Present while a cycle is unpaid after a failed attempt: the dunning record.
 * Retries are counted from `since`, the first failure of the cycle.
 */
export interface Dunning {
  cycle: number;
  since: string;
  softDeclines: number;
  /** iamport refused the request itself (non-zero code): not the card's fault. */
  requestErrors: number;
  /** A hard decline (or too many refusals): nothing is retried until a new card arrives. */
  waitingForCard: boolean;
  lastReason: string;
  /** When retries are exhausted or the wait for a card ends: the subscription becomes unpaid or canceled. */
  endsAt: string;
}

/** The last charge attempt that reached an outcome, for a quick answer to "why was (not) this card charged". */
export interface LastCharge {
  cycle: number;
  attempt: number;
  merchantUid: string;
  status: "paid" | "declined" | "error" | "rejected";
  impUid?: string;
  reason?: string;
  at: string;
}

export interface Buyer {
  name?: string;
  email?: string;
  tel?: string;
  addr?: string;
  postcode?: string;
}

export interface Subscription {
  /** `sub_` + 16 letters and digits; derived from the creating request's Idempotency-Key. */
  id: string;
  status: SubscriptionStatus;
  /** Bumped by every state change; every such write is conditional on it (invariant 4). */
  version: number;
  customerUid: string;
  plan: Plan;
  currency: "KRW";
  anchor: BillingAnchor;
  buyer: Buyer;
  idempotencyKey: string;
  /** Hash of the normalised create request: a retry with the same body finds the same subscription. */
  requestHash: string;
  /** The cycle the next charge is for (1-based). Cycles below it were paid or skipped. */
  cycle: number;
  /** The attempt number of the next charge of `cycle` (1 = first try). */
  attempt: number;
  /** When (`cycle`, `attempt`) is due; null while nothing is to be charged (paused, ended, waiting for a card). */
  nextChargeAt: string | null;
  /** End of the last paid period (the start of the cycle after it), null before the first payment. */
  paidThrough: string | null;
  paidCycles: number;
  /** Cycles skipped by a pause: never charged. */
  skippedCycles: number;
  /**
   * Set by a resume that kept a cycle owed from before the pause: once that cycle is paid, billing
   * goes on from this cycle (the ones dated inside the pause are skipped).
   */
  resumeSkipTo?: number;
  dunning?: Dunning;
  cancelAtPeriodEnd: boolean;
  canceledAt?: string;
  cancelReason?: string;
  pausedAt?: string;
  lastCharge?: LastCharge;
  /** The card replaced by the last switch: its key is deleted at iamport once no subscription charges it. */
  previousCustomerUid?: string;
  /**
   * When the dispatcher must look next (the sparse due index): the next charge,
   * the end of dunning, or a lease while a charge is queued. Derived by the
   * rules; leases move it without a version bump.
   */
  checkAfter?: string;
  createdAt: string;
  updatedAt: string;
}

/** One state change, appended once per version. */
export interface SubscriptionEvent {
  version: number;
  at: string;
  from: SubscriptionStatus | null;
  to: SubscriptionStatus;
  source: SubscriptionChangeSource;
  reason: string;
  cycle?: number;
  attempt?: number;
}

/** Billing statuses in which cycles are charged. */
export const CHARGEABLE: ReadonlySet<SubscriptionStatus> = new Set(["active", "past_due"]);

/** The history entry for a change from `current` to `next`. */
export function historyEvent(
  current: Subscription | null,
  next: Subscription,
  source: SubscriptionChangeSource,
  reason: string,
  charge?: { cycle: number; attempt: number },
): SubscriptionEvent {
  return {
    version: next.version,
    at: next.updatedAt,
    from: current?.status ?? null,
    to: next.status,
    source,
    reason,
    ...(charge ? { cycle: charge.cycle, attempt: charge.attempt } : {}),
  };
}
