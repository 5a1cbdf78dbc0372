/**
 * Refund requests (one per merchant_uid + Idempotency-Key) in the single
 * table, beside their order: PK `ORDER#<merchant_uid>`, SK `REFUND#<key>`.
 * Written before iamport is called; kept (no TTL) as the record of who asked
 * for which refund. Expected conflicts come back as values.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { RefundRequestsRepository, UpdateResult } from "../orders/ports.js";
import type { RefundRequestRecord } from "../orders/refund.js";
import { failedItems, isConditionFailure, lostTo } from "./condition-failure.js";
import { orderKey } from "./keys.js";
import { orderFromItem } from "./orders-repository.js";
import { transactGet } from "./transact-get.js";

const refundSk = (idempotencyKey: string) => `REFUND#${idempotencyKey}`;
const cancellationSk = (cancellationId: string) => `CANCELLATION#${cancellationId}`;

export function createRefundRequestsRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): RefundRequestsRepository {
  const { db, tableName } = deps;
  const key = (merchantUid: string, idempotencyKey: string) => ({
    PK: orderKey(merchantUid).PK,
    SK: refundSk(idempotencyKey),
  });
  const toItem = (record: RefundRequestRecord) => ({
    ...key(record.merchantUid, record.idempotencyKey),
    type: "refund_request",
    ...record,
  });

  const get = async (merchantUid: string, idempotencyKey: string) => {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: key(merchantUid, idempotencyKey), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  };

  /** The request's replacement, written only by the attempt that owns it while it is open. */
  const updatePut = (current: RefundRequestRecord, next: RefundRequestRecord) => ({
    TableName: tableName,
    Item: toItem(next),
    // `attempt = :a`: only the attempt that owns the request writes (a takeover bumps it).
    // `#state = :open`: a succeeded or refused request is final; its stored answer is replayed.
    ConditionExpression: "attempt = :a AND #state = :open",
    ExpressionAttributeNames: { "#state": "state" },
    ExpressionAttributeValues: { ":a": current.attempt, ":open": "in_progress" },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  });
  const cancellationPut = (merchantUid: string, cancellationId: string, idempotencyKey: string) => ({
    TableName: tableName,
    Item: {
      PK: orderKey(merchantUid).PK,
      SK: cancellationSk(cancellationId),
      type: "cancellation_claim",
      cancellationId,
      idempotencyKey,
    },
    // One owner per cancellation: the first request that finds it in iamport's history.
    ConditionExpression: "attribute_not_exists(PK) OR idempotencyKey = :key",
    ExpressionAttributeValues: { ":key": idempotencyKey },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  });

  const update = async (current: RefundRequestRecord, next: RefundRequestRecord): Promise<UpdateResult> => {
    try {
      await db.send(new PutCommand(updatePut(current, next)));
      return { saved: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const stored = lostTo(error);
      return { saved: false, current: stored ? fromItem(stored) : null };
    }
  };

  const claimCancellation = async (merchantUid: string, cancellationId: string, idempotencyKey: string) => {
    const put = cancellationPut(merchantUid, cancellationId, idempotencyKey);
    try {
      await db.send(new PutCommand(put));
      return idempotencyKey;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return String(lostTo(error)?.idempotencyKey ?? "");
    }
  };

  return {
    get,

    async getWithOrder(merchantUid, idempotencyKey) {
      const keys = [key(merchantUid, idempotencyKey), orderKey(merchantUid)];
      let items: Array<Record<string, unknown> | undefined>;
      try {
        items = await transactGet(db, tableName, keys, { retries: 0 });
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        // A write in progress on the order (another refund finishing, a webhook): read both as they are
        // now, at once, rather than wait for it; no snapshot is needed, each read is consistent.
        items = await Promise.all(
          keys.map(
            async (Key) =>
              (await db.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))).Item,
          ),
        );
      }
      const [request, order] = items;
      return { request: request ? fromItem(request) : null, order: order ? orderFromItem(order) : null };
    },

    async claim(record) {
      try {
        await db.send(
          new PutCommand({
            TableName: tableName,
            Item: toItem(record),
            // One request per key: a retried or concurrent duplicate must find the first one, not replace it.
            ConditionExpression: "attribute_not_exists(PK)",
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { claimed: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = lostTo(error);
        if (!existing) throw error;
        return { claimed: false, existing: fromItem(existing) };
      }
    },

    update,

    async listForOrder(merchantUid) {
      const records: RefundRequestRecord[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "PK = :pk AND begins_with(SK, :refund)",
            ExpressionAttributeValues: { ":pk": orderKey(merchantUid).PK, ":refund": "REFUND#" },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        records.push(...(page.Items ?? []).map((item) => fromItem(item)));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return records;
    },

    claimCancellation,

    async succeed(current, next, cancellationId) {
      if (!cancellationId) return update(current, next);
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: updatePut(current, next) },
              { Put: cancellationPut(current.merchantUid, cancellationId, current.idempotencyKey) },
            ],
          }),
        );
        return { saved: true };
      } catch (error) {
        const failed = failedItems(error);
        // Anything but a condition (a write in progress on one of the items): the two writes one at a
        // time, as before this transaction, each conditional on its own.
        if (failed.length === 0) {
          if (!(error instanceof TransactionCanceledException)) throw error;
          const owner = await claimCancellation(current.merchantUid, cancellationId, current.idempotencyKey);
          if (owner !== current.idempotencyKey) return { saved: false, cancellationOwner: owner };
          return update(current, next);
        }
        // The request moved on first: its attempt no longer owns it, so its claim is not made either.
        if (failed.includes(0)) {
          const old = lostTo(error, 0);
          return { saved: false, current: old ? fromItem(old) : null };
        }
        return { saved: false, cancellationOwner: String(lostTo(error, 1)?.idempotencyKey ?? "") };
      }
    },
  };
}

function fromItem(item: Record<string, unknown>): RefundRequestRecord {
  const { PK: _pk, SK: _sk, type: _type, ...rest } = item;
  return rest as unknown as RefundRequestRecord;
}
