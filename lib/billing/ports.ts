/**
 * The ports of billing: what its use cases need from the world, declared here
 * by the code that uses them (the model ElectroDB's examples/locks and
 * Powertools' idempotency types follow). lib/store implements the
 * repositories, lib/queue the charge queue, lib/iamport the client;
 * lib/runtime wires them. Nothing in lib/billing imports those adapters, so
 * the arrows point one way: adapters to the domain.
 *
 * Expected conflicts (a lost race on `version`, a duplicate claim) come back
 * as values; only the unexpected throws.
 */
import type { IamportClient } from "../iamport/types.js";
import type { OwedRefund } from "../ledger/owed-refund.js";
import type { BillingKeyRecord } from "./billing-key.js";
import type { ChargeAttempt } from "./charge-attempt.js";
import type { Subscription, SubscriptionEvent } from "./subscription.js";

export type { OwedRefundsRepository } from "../ledger/ports.js";
export type { Logger } from "../observability/logger.js";

/** Now, as the use cases see it (tests and the soak drive it). */
export type Clock = () => Date;

/** The iamport calls billing makes; each use case's deps pick the ones it needs. */
export type BillingIamport = Pick<
  IamportClient,
  | "chargeBillingKey"
  | "findPayment"
  | "getPayment"
  | "getPayments"
  | "cancelPayment"
  | "getBillingKey"
  | "deleteBillingKey"
>;

// ── The charge queue ────────────────────────────────────────────────────────

/** One cycle attempt to charge (or to resolve); the body of one queue message. */
export interface ChargeMessage {
  subscriptionId: string;
  cycle: number;
  attempt: number;
}

/**
 * The charge queue as the use cases see it. SQS behind it delivers at least
 * once, so the consumer is idempotent by (subscription, cycle, attempt), never by message.
 */
export interface ChargeQueue {
  /** Sends the messages; those SQS did not accept come back (the dispatcher finds them again later). */
  send(messages: ChargeMessage[]): Promise<{ failed: ChargeMessage[] }>;
}

// ── Subscriptions, their charge attempts, history and notifications ─────────

export type SaveResult = { saved: true } | { saved: false; current: Subscription | null };
export type AttemptSaveResult = { saved: true } | { saved: false; current: ChargeAttempt | null };
export type ClaimResult =
  | { claimed: true }
  /** The attempt exists already (a duplicate message got there first). */
  | { claimed: false; existing: ChargeAttempt }
  /** The subscription changed since it was read (paused, canceled...): read it again. */
  | { claimed: false; existing: null };
/** `owed_exists`: the refund owed was decided already (by the sweep, say); settle without it. */
export type SettleResult = "saved" | "attempt_changed" | "subscription_changed" | "owed_exists";

export interface SubscriptionNote {
  subscriptionId: string;
  receivedAt: string;
  source: "webhook";
  /** With `source` and `status`, what makes two notifications the same (stored once). */
  impUid: string;
  /** One of iamport's statuses, or `other`. */
  status: string;
  /** What arrived, every field already capped. */
  body: Record<string, unknown>;
}

export interface SubscriptionsRepository {
  get(id: string): Promise<Subscription | null>;
  getDetails(id: string): Promise<{
    subscription: Subscription;
    attempts: ChargeAttempt[];
    history: SubscriptionEvent[];
    owedRefunds: OwedRefund[];
  } | null>;
  /**
   * Stores a new subscription, its first history entry and its use of `key`.
   * An existing subscription with this id comes back as `existing`; `null`
   * there means the key is being deleted at iamport and cannot take it.
   */
  create(
    sub: Subscription,
    event: SubscriptionEvent,
    key: BillingKeyRecord,
  ): Promise<{ created: true } | { created: false; existing: Subscription | null }>;
  /** Replaces `current` with `next` if nobody wrote since `current` was read, with its history entry. */
  save(current: Subscription, next: Subscription, event?: SubscriptionEvent): Promise<SaveResult>;
  /** Moves `next` to a new card: the subscription, its history, and both keys' subscription lists, at once. */
  switchCard(
    current: Subscription,
    next: Subscription,
    event: SubscriptionEvent,
    newKey: BillingKeyRecord,
  ): Promise<SaveResult>;
  /**
   * Moves the due-index entry (a dispatch lease, or back to where the rules
   * say) without a state change; false when the subscription changed meanwhile.
   */
  setCheckAfter(sub: Subscription, checkAfter: string | undefined): Promise<boolean>;
  getAttempt(subscriptionId: string, cycle: number, attempt: number): Promise<ChargeAttempt | null>;
  /** The subscription and one of its attempts, read together in one round trip (one snapshot). */
  getForCharge(
    subscriptionId: string,
    cycle: number,
    attempt: number,
  ): Promise<{ subscription: Subscription | null; attempt: ChargeAttempt | null }>;
  /** Writes a new claim, only while the subscription is the version the decision was made on. */
  claim(sub: Subscription, attempt: ChargeAttempt): Promise<ClaimResult>;
  updateAttempt(current: ChargeAttempt, next: ChargeAttempt): Promise<AttemptSaveResult>;
  /** Moves an open attempt's index entry (the dispatcher queued it); false when it changed meanwhile. */
  setAttemptCheckAfter(attempt: ChargeAttempt, checkAfter: string): Promise<boolean>;
  /** Records an attempt's outcome and, when given, the subscription's transition, in one transaction. */
  settle(input: {
    attempt: { current: ChargeAttempt; next: ChargeAttempt };
    subscription?: { current: Subscription; next: Subscription; event: SubscriptionEvent };
    owed?: OwedRefund;
  }): Promise<SettleResult>;
  /** Records a refund decided for a settled attempt (`next` notes it) with the refund owed, in one transaction. */
  decideRefund(
    current: ChargeAttempt,
    next: ChargeAttempt,
    owed: OwedRefund,
  ): Promise<"saved" | "attempt_changed" | "owed_exists">;
  /** Stores a notification once per (source, imp_uid, status), at most the store's cap per subscription. */
  recordNotification(note: SubscriptionNote): Promise<"stored" | "duplicate" | "capped">;
  /** Subscriptions whose `checkAfter` is at or before `now`, page by page across the shards (never a Scan). */
  pagesDue(now: Date, pageSize: number): AsyncGenerator<Subscription[]>;
  /** Claimed or unknown attempts whose `checkAfter` is at or before `now`, page by page. */
  pagesOpenAttempts(now: Date, pageSize: number): AsyncGenerator<ChargeAttempt[]>;
  /** Paid attempts a cycle keeps whose kept-charge audit is due at or before `now`, page by page. */
  pagesKeptDue(now: Date, pageSize: number): AsyncGenerator<ChargeAttempt[]>;
  /**
   * Moves a kept attempt's audit to `auditAfter` without a state change (no version, history or event);
   * false when the attempt changed meanwhile.
   */
  markAttemptAudited(attempt: ChargeAttempt, auditAfter: string): Promise<boolean>;
}

// ── Billing keys ─────────────────────────────────────────────────────────────

export interface BillingKeysRepository {
  get(customerUid: string): Promise<BillingKeyRecord | null>;
  /**
   * Records a window opened to issue `record.customerUid`. A customer_uid
   * that names a verified (or deleting) key is refused: the stored record comes back.
   */
  reserve(
    record: BillingKeyRecord,
  ): Promise<{ reserved: true } | { reserved: false; existing: BillingKeyRecord }>;
  /** Marks a key no subscription charges as being deleted; false when one uses it or it is gone. */
  markDeleting(customerUid: string, now: Date): Promise<boolean>;
  markDeleted(customerUid: string, now: Date): Promise<void>;
}
