/**
 * The subscription aggregate as this service stores it: a plan charged on a
 * KST calendar through one iamport billing key (customer_uid). iamport's
 * payment records are the truth about money; this is our verified view.
 */
import type { BillingAnchor, BillingInterval } from "./rules/calendar.js";

export const SUBSCRIPTION_STATUSES = ["active", "past_due", "paused", "unpaid", "canceled"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface Plan {
  name: string;
  /** KRW, a positive integer, charged per cycle. */
  amount: number;
  interval: BillingInterval;
  /** Every N intervals; 1 when absent. The calendar reads it from the anchor (`anchor.count`). */
  intervalCount?: number;
}

/**
 * A plan change waiting for its cycle: the cycle the subscription waits on was
 * already due when the change was asked for (it is charged, or owed, at the
 * old plan), so the new plan applies from `fromCycle` (always `cycle + 1` of
 * the subscription while it is pending). Promoted to `plan` when the
 * subscription moves on to `fromCycle`.
 */
export interface PendingPlan {
  name: string;
  amount: number;
  fromCycle: number;
  requestedAt: string;
}

/** A free trial: the card was verified at creation, cycle 1 is charged at `endsAt`. */
export interface Trial {
  days: number;
  endsAt: string;
  /** When the trial-ending notice is due (the configured days before `endsAt`, or at once). */
  noticeAt: string;
  /** When the dispatcher recorded the notice (once). */
  noticedAt?: string;
}

/** A plan change request already applied: its Idempotency-Key and a hash of its body. */
export interface PlanChangeRequest {
  key: string;
  hash: string;
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
  /** The plan of `cycle`: what its next attempt is claimed (and charged) with. */
  plan: Plan;
  pendingPlan?: PendingPlan;
  /** The last plan change requests (at most {@link MAX_PLAN_CHANGE_REQUESTS}), so a retry is not applied twice. */
  planChangeRequests?: PlanChangeRequest[];
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
  trial?: Trial;
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

/** Plan change requests remembered per subscription for their Idempotency-Key. */
export const MAX_PLAN_CHANGE_REQUESTS = 20;

/** What a plan change did, in its history entry. */
export interface PlanChangeRecord {
  from: { name: string; amount: number };
  to: { name: string; amount: number };
  effective: "now" | "next_cycle";
  /** The first cycle charged at the new plan. */
  fromCycle: number;
}

/**
 * A kept charge refunded at iamport (its console): the cycle stays paid, since what the refund means for
 * the customer's service is the merchant's call; the history and `subscription.charge_refunded` say it.
 */
export interface ChargeCancelRecord {
  merchantUid: string;
  impUid: string;
  /** What the cycle was charged. */
  charged: number;
  /** This change: what iamport cancelled since the attempt last recorded. */
  amount: number;
  /** iamport's total cancelled of the charge, after this change. */
  cancelled: number;
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
  /** Set on a plan change (the future `subscription.plan_changed` event's body). */
  plan?: PlanChangeRecord;
  /** Set when a kept charge was refunded at iamport (`subscription.charge_refunded`). */
  chargeCancel?: ChargeCancelRecord;
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

/**
 * The plan fields once the subscription moves on to `cycle`: a pending plan
 * change whose cycle has come becomes the plan (so `plan` is always the plan
 * of the cycle waited on, and the claim of its attempt reads no other field).
 */
export function planFields(sub: Subscription, cycle: number): Pick<Subscription, "plan" | "pendingPlan"> {
  const pending = sub.pendingPlan;
  if (!pending || cycle < pending.fromCycle) return { plan: sub.plan, pendingPlan: pending };
  return { plan: { ...sub.plan, name: pending.name, amount: pending.amount }, pendingPlan: undefined };
}
