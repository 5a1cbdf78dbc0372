/**
 * Refunds owed (lib/ledger/owed-refund.ts) in the single table: PK of the
 * aggregate the payment came under (`ORDER#<merchant_uid>` or `SUB#<id>`), SK
 * `OWED#<imp_uid>`, so an order's or subscription's view reads them with the
 * rest of its partition; on the sparse index `OWED#<shard>` / checkAfter
 * while not done. One item per imp_uid: deciding twice finds the first decision.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { OwedRefund, OwedRefundOwner } from "../ledger/owed-refund.js";
import { owedRefundEvents } from "../ledger/owed-refund-events.js";
import type { OwedRefundsRepository } from "../ledger/ports.js";
import { isConditionFailure, lostTo } from "./condition-failure.js";
import { OWED_SHARDS, orderKey, owedIndexPk, owedRefundSk, shardOf, subscriptionKey } from "./keys.js";
import { putOutbox } from "./outbox-items.js";
import { pagesAcrossShards } from "./shard-pages.js";
import type { TransactItem } from "./subscription-items.js";

const partitionOf = (owner: OwedRefundOwner) =>
  owner.kind === "order" ? orderKey(owner.merchantUid).PK : subscriptionKey(owner.subscriptionId).PK;

/** The item of a refund owed (its key, and the index entry while it is not done). */
export function owedRefundItem(owed: OwedRefund) {
  return {
    PK: partitionOf(owed.owner),
    SK: owedRefundSk(owed.impUid),
    type: "owed_refund",
    ...owed,
    ...(owed.state !== "done" && owed.checkAfter
      ? { GSI1PK: owedIndexPk(shardOf(owed.impUid, OWED_SHARDS)), GSI1SK: owed.checkAfter }
      : {}),
  };
}

/**
 * The decision as one item of another aggregate's transaction (the order
 * turning forged, a charge settled as surplus): `attribute_not_exists` makes
 * a second decision for the same payment fail the whole transaction, which
 * the caller reads as "already decided".
 */
export function putOwedRefund(TableName: string, owed: OwedRefund): TransactItem {
  return {
    Put: {
      TableName,
      Item: owedRefundItem(owed),
      ConditionExpression: "attribute_not_exists(PK)",
      // A second decider reads the first decision in the refusal itself.
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
}

/**
 * The outbox items of the change from `before` (null: decided) to `after`, in
 * the owner's partition. Unconditional: they go only in the transaction of the
 * refund's own guarded write (`attribute_not_exists` or `version = :v`), which
 * is what makes each event once, and a failed decision keeps reporting only
 * its own item as failed (the callers read the failed index).
 */
export function owedRefundOutbox(
  TableName: string,
  before: OwedRefund | null,
  after: OwedRefund,
): TransactItem[] {
  return owedRefundEvents(before, after).map((event) =>
    putOutbox(TableName, partitionOf(after.owner), event, { guarded: false }),
  );
}

export function fromOwedItem(item: Record<string, unknown>): OwedRefund {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, type: _type, ...rest } = item;
  return rest as unknown as OwedRefund;
}

export function createOwedRefundsRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): OwedRefundsRepository {
  const { db, tableName: TableName } = deps;
  const get = async (owner: OwedRefundOwner, impUid: string) => {
    const { Item } = await db.send(
      new GetCommand({
        TableName,
        Key: { PK: partitionOf(owner), SK: owedRefundSk(impUid) },
        ConsistentRead: true,
      }),
    );
    return Item ? fromOwedItem(Item) : null;
  };
  return {
    get,

    async putIfAbsent(owed) {
      try {
        // One decision per payment: a second decider finds the first. Its event goes in the same round trip.
        await db.send(
          new TransactWriteCommand({
            TransactItems: [putOwedRefund(TableName, owed), ...owedRefundOutbox(TableName, null, owed)],
          }),
        );
        return { created: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = lostTo(error, 0);
        if (!existing) throw error;
        return { created: false, existing: fromOwedItem(existing) };
      }
    },

    async update(current, next) {
      // `version = :v`: two executors (the reconciler and the sweep, a retried request) never both
      // hold the lease for one cancel; the loser re-reads.
      const put = {
        TableName,
        Item: owedRefundItem(next),
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":v": current.version },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
      };
      // A change of state publishes with the write itself (one round trip either way); a lease or back-off alone stays a Put.
      const events = owedRefundOutbox(TableName, current, next);
      try {
        if (events.length > 0)
          await db.send(new TransactWriteCommand({ TransactItems: [{ Put: put }, ...events] }));
        else await db.send(new PutCommand(put));
        return { saved: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const stored = lostTo(error, 0);
        return { saved: false, current: stored ? fromOwedItem(stored) : null };
      }
    },

    pagesDue: (now, pageSize) =>
      pagesAcrossShards(db, {
        TableName,
        pks: Array.from({ length: OWED_SHARDS }, (_, shard) => owedIndexPk(shard)),
        until: now.toISOString(),
        pageSize,
        map: fromOwedItem,
      }),
  };
}
