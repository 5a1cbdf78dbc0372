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
