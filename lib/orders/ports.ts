/**
 * The ports of orders: what its use cases need from the world, declared here
 * by the code that uses them (as lib/billing/ports.ts does for billing).
 * lib/store implements the repositories, lib/iamport the payment lookup;
 * lib/runtime wires them. Nothing in lib/orders imports those adapters.
 *
 * Expected conflicts (a lost race on `version`, a key already claimed) come
 * back as values; only the unexpected throws.
 */
import type { CancelPaymentInput, IamportClient } from "../iamport/types.js";
import type { OwedRefund } from "../ledger/owed-refund.js";
import type { Order, OrderEvent } from "./order.js";
import type { RefundRequestRecord } from "./refund.js";
import type { PaymentFacts } from "./rules/payment-facts.js";

export type { OwedRefundsRepository } from "../ledger/ports.js";
export type { Logger } from "../observability/logger.js";

/** Now, as the use cases see it (tests and the soak drive it). */
export type Clock = () => Date;

// ── iamport ─────────────────────────────────────────────────────────────────

/** The amount's pre-registration create-order makes (`POST /payments/prepare`, and its read-back). */
export type AmountRegistration = Pick<IamportClient, "preparePayment" | "getPreparedPayment">;

/** What a refund calls: the lookups, and the cancel with its full input (tax-free part, refund account). */
export type RefundIamport = PaymentLookup & {
  cancelPayment(input: CancelPaymentInput): Promise<PaymentFacts>;
};

/** The slice of the iamport client verification needs. */
export interface PaymentLookup {
  /** Credentials and token fetched ahead (a cold start), see IamportClient.warmUp. */
  warmUp(): Promise<void>;
  getPayment(impUid: string): Promise<PaymentFacts>;
  /** The records iamport has of these payments, in few requests (those it lacks left out). */
  getPayments(impUids: readonly string[]): Promise<PaymentFacts[]>;
  findPayment(merchantUid: string): Promise<PaymentFacts | null>;
  /** Every attempt under the merchant_uid, newest first. */
  findAllPayments(merchantUid: string): Promise<PaymentFacts[]>;
  cancelPayment(request: {
    impUid: string;
    amount: number;
    checksum: number;
    reason: string;
  }): Promise<PaymentFacts>;
}

// ── Orders, their history and inbound notifications ────────────────────────

/** An inbound notification (webhook, callback, redirect), stored before it is processed (invariant 5). */
export interface InboundNotification {
  merchantUid: string;
  receivedAt: string;
  source: "callback" | "redirect" | "webhook";
  /** The payment it named (or `-`): with `source` and `status`, what makes two notifications the same. */
  impUid: string;
  /** A bounded word: iamport's status, or `other` / `unverified` (receive-notification.ts). */
  status: string;
  /** What arrived, every field already capped. */
  body: Record<string, unknown>;
}

/** `duplicate`: the same notification is stored already; `capped`: the order holds its maximum of notes. */
export type RecordNotificationResult = "stored" | "duplicate" | "capped";

/** One page of an order's notes and where the next starts (`null`: none after). */
export interface NotificationPage {
  notes: InboundNotification[];
  next: string | null;
}

export type SaveResult =
  | { saved: true }
  /**
   * Nothing was written. Lost a race: `current` is the winner's order. Or only the extras were refused
   * (the order's change would have been written): `owedExists`, the refund owed was decided already;
   * `noteRefused`, the note is stored already (`duplicate`) or the order holds its maximum (`capped`).
   */
  | { saved: false; current: Order | null; owedExists?: boolean; noteRefused?: "duplicate" | "capped" };

export interface OrdersRepository {
  /** Creates the order and its first history entry; an existing order comes back as a value. */
  create(order: Order, event: OrderEvent): Promise<{ created: true } | { created: false; existing: Order }>;
  get(merchantUid: string): Promise<Order | null>;
  /**
   * The order, and whether the note of (source, imp_uid, status) is stored already, in one read: a
   * webhook iamport sends again finds its note without trying to write it.
   */
  getWithNote(
    merchantUid: string,
    note: Pick<InboundNotification, "source" | "impUid" | "status">,
  ): Promise<{ order: Order | null; noteStored: boolean }>;
  /** The order with its history and the refunds owed beside it (payments it does not keep). */
  getWithHistory(
    merchantUid: string,
  ): Promise<{ order: Order; history: OrderEvent[]; owedRefunds: OwedRefund[] } | null>;
  /**
   * Replaces `current` with `next` only if nobody wrote since `current` was read,
   * appending `event` in the same transaction. A lost race returns the winner's order.
   */
  save(
    current: Order,
    next: Order,
    event?: OrderEvent,
    owed?: OwedRefund,
    note?: InboundNotification,
  ): Promise<SaveResult>;
  /** Stores a notification once per (source, imp_uid, status), at most a bounded number per order (the store's `MAX_NOTES_PER_ORDER`). */
  recordNotification(note: InboundNotification): Promise<RecordNotificationResult>;
  /** The order's notes, one bounded page at a time (`after`: the previous page's `next`). */
  listNotifications(
    merchantUid: string,
    options?: { limit?: number; after?: string },
  ): Promise<NotificationPage>;
  /** Orders whose `checkAfter` is before `now`, oldest first, across every shard. */
  listDue(now: Date, limitPerShard: number): Promise<Order[]>;
  /** Orders holding money whose held-payment audit (rules/held-audit.ts) is due at `now`, earliest first. */
  listHeldDue(now: Date, limitPerShard: number): Promise<Order[]>;
  /**
   * Records that iamport agreed with `order` and when to read it next, without changing the order
   * (no version, no history); false when the order was written meanwhile (its writer reschedules it).
   */
  markAudited(order: Order, auditAfter: string): Promise<boolean>;
}

// ── Refund requests ─────────────────────────────────────────────────────────

export type ClaimResult = { claimed: true } | { claimed: false; existing: RefundRequestRecord };
export type UpdateResult = { saved: true } | { saved: false; current: RefundRequestRecord | null };
/** {@link UpdateResult}, or: the cancellation is another request's (nothing was written). */
export type SucceedResult = UpdateResult | { saved: false; cancellationOwner: string };

export interface RefundRequestsRepository {
  get(merchantUid: string, idempotencyKey: string): Promise<RefundRequestRecord | null>;
  /**
   * The request and its order in one round trip and one snapshot (both sit in the order's partition):
   * what a new refund reads before it claims its key.
   */
  getWithOrder(
    merchantUid: string,
    idempotencyKey: string,
  ): Promise<{ request: RefundRequestRecord | null; order: Order | null }>;
  /** Stores a new request; when the key is taken, the stored request comes back instead. */
  claim(record: RefundRequestRecord): Promise<ClaimResult>;
  /**
   * Replaces `current` with `next` only while `current` is still in progress
   * under the same attempt: a finished request never changes, and an attempt
   * that was taken over cannot overwrite the one that took it.
   */
  update(current: RefundRequestRecord, next: RefundRequestRecord): Promise<UpdateResult>;
  /** Every refund request of the order (a handful), to tell our own cancels apart. */
  listForOrder(merchantUid: string): Promise<RefundRequestRecord[]>;
  /**
   * Marks iamport's cancellation `cancellationId` as the outcome of `idempotencyKey`: the first
   * request to claim it owns it, so two requests can never both report one cancel as theirs.
   * Returns the key that owns it.
   */
  claimCancellation(merchantUid: string, cancellationId: string, idempotencyKey: string): Promise<string>;
  /**
   * {@link update} to the succeeded `next` and {@link claimCancellation} of `cancellationId` for it, in
   * one transaction: a refund's last write, the claim no longer a round trip of its own. Either both are
   * written or neither; a refusal says which held (the request moved on: `current`; the cancellation is
   * another request's: `cancellationOwner`). Without a cancellation id it is the plain update.
   */
  succeed(
    current: RefundRequestRecord,
    next: RefundRequestRecord,
    cancellationId: string | null,
  ): Promise<SucceedResult>;
}
