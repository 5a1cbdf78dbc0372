/**
 * What the ledger's use cases (and billing's and orders' refunds owed) need
 * from storage, declared here by the code that uses it; lib/store implements
 * it. Expected conflicts are values, never exceptions.
 */
import type { OwedRefund, OwedRefundOwner } from "./owed-refund.js";

export type OwedSaveResult = { saved: true } | { saved: false; current: OwedRefund | null };

export interface OwedRefundsRepository {
  get(owner: OwedRefundOwner, impUid: string): Promise<OwedRefund | null>;
  /** Records a decision unless one exists for this imp_uid; the existing one comes back instead. */
  putIfAbsent(owed: OwedRefund): Promise<{ created: true } | { created: false; existing: OwedRefund }>;
  /** Replaces `current` with `next` only if nobody wrote since `current` was read. */
  update(current: OwedRefund, next: OwedRefund): Promise<OwedSaveResult>;
  /** Refunds owed whose `checkAfter` is at or before `now`, page by page across the shards. */
  pagesDue(now: Date, pageSize: number): AsyncGenerator<OwedRefund[]>;
}

/** Where the ledger sweep (sweep-ledger.ts) is in its pass over iamport's paid payments. */
/**
 * `paid`: iamport's paid payments, keyset on `paid_at`. `cancelled`: its cancelled ones, page by page
 * in `started_at` order (a payment cancelled in part may show either status: undocumented), so a
 * console cancel whose webhook was lost, or an orphan's remainder after one, is found too.
 */
export type SweepPhase = "paid" | "cancelled";

export interface LedgerCursor {
  version: number;
  /**
   * The pass in progress covers payments paid in [passFrom, passTo] (unix seconds), then payments
   * cancelled in it: a pass reads iamport's `paid` listing, then its `cancelled` one (absent: `paid`).
   */
  passFrom: number;
  passTo: number;
  phase?: SweepPhase;
  /** Keyset position: `paid_at` of the last payment handled... */
  position: number;
  /** ...the imp_uids at that second already handled... */
  seenAtPosition: string[];
  /** ...and the page within that second when more than a page share it. */
  page: number;
  complete: boolean;
  passesCompleted: number;
  updatedAt: string;
}

/** The sweep's cursor: one item, written conditionally on its version so two sweeps never both move it. */
export interface LedgerCursorRepository {
  get(): Promise<LedgerCursor | null>;
  /** Stores `next` if the cursor is still `current` (null: none yet); false when another sweep moved it. */
  save(current: LedgerCursor | null, next: LedgerCursor): Promise<boolean>;
}
