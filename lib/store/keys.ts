/**
 * Key layout of the single table (see docs/architecture.md). Only repositories
 * import this.
 */

/** The sparse GSI1 partitions are sharded so no single key takes every write. */
export const OPEN_SHARDS = 4;

export const orderKey = (merchantUid: string) => ({ PK: `ORDER#${merchantUid}`, SK: "ORDER" });
export const orderEventSk = (version: number) => `EVENT#${String(version).padStart(8, "0")}`;
/**
 * One note per (source, imp_uid, status): an identical notification sent again is the same item, so
 * repeating a public request cannot add items. imp_uid and status are validated, bounded and `#`-free.
 */
export const orderNoteSk = (source: string, impUid: string, status: string) =>
  `NOTE#${source}#${impUid}#${status}`;
/** The count of an order's notes, beside them (the order item itself is replaced whole on every save). */
export const orderNoteCountSk = "NOTES";
/** A domain event waiting in its aggregate's partition for the stream to publish it (outbox-items.ts). */
export const outboxSk = (eventId: string) => `OUTBOX#${eventId}`;

/** A stable shard in [0, shards) for a key (FNV-1a). */
export function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const openIndexPk = (shard: number) => `OPEN#${shard}`;
/** Orders holding money, by when the held-payment audit reads them next (lib/orders/rules/held-audit.ts). */
export const heldIndexPk = (shard: number) => `HELD#${shard}`;

/** Subscriptions, their charge attempts, history and notifications share one partition. */
export const subscriptionKey = (id: string) => ({ PK: `SUB#${id}`, SK: "SUB" });
/** Zero-padded so a partition's attempts sort by cycle, then attempt. */
export const chargeAttemptSk = (cycle: number, attempt: number) =>
  `CHARGE#${String(cycle).padStart(4, "0")}#${String(attempt).padStart(2, "0")}`;
export const subscriptionEventSk = (version: number) => `EVENT#${String(version).padStart(8, "0")}`;
/** One note per (source, imp_uid, status), as for orders; their count beside them. */
export const subscriptionNoteSk = (source: string, impUid: string, status: string) =>
  `NOTE#${source}#${impUid}#${status}`;
export const subscriptionNoteCountSk = "NOTES";
export const billingKeyKey = (customerUid: string) => ({ PK: `CUSTOMER#${customerUid}`, SK: "KEY" });

/** Subscriptions with something to do at `checkAfter` (a charge, the end of dunning). */
export const DUE_SHARDS = 4;
export const dueIndexPk = (shard: number) => `DUE#${shard}`;
/** Charge attempts without an outcome yet (claimed or unknown), by when to look. */
export const unknownIndexPk = (shard: number) => `UNKNOWN#${shard}`;
/** Paid charge attempts a cycle keeps, by when the kept-charge audit reads them next (lib/billing/rules/kept-audit.ts). */
export const keptIndexPk = (shard: number) => `KEPT#${shard}`;

/** A refund owed, beside the order or subscription whose merchant_uid the payment came under. */
export const owedRefundSk = (impUid: string) => `OWED#${impUid}`;
/** Refunds owed and not yet done, by when the executor looks next. */
export const OWED_SHARDS = 4;
export const owedIndexPk = (shard: number) => `OWED#${shard}`;
/** The ledger sweep's cursor over iamport's paid payments. */
export const ledgerCursorKey = { PK: "LEDGER#SWEEP", SK: "CURSOR" };
