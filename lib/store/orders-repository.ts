/**
 * Orders, their append-only history and inbound notifications in the single
 * table. Key layout and condition expressions stay inside this file; the use
 * cases see a narrow interface where an expected conflict is a value, not an
 * exception.
 */
import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { OwedRefund } from "../ledger/owed-refund.js";
import type { Order, OrderEvent } from "../orders/order.js";
import { failedItems } from "./condition-failure.js";
import { OPEN_SHARDS, openIndexPk, orderEventSk, orderKey, orderNoteSk, shardOf } from "./keys.js";
import { fromOwedItem, putOwedRefund } from "./owed-refunds-repository.js";

/** An inbound notification (webhook, callback, redirect), stored before it is processed (invariant 5). */
export interface InboundNotification {
  merchantUid: string;
  id: string;
  receivedAt: string;
  source: "callback" | "redirect" | "webhook";
  body: Record<string, unknown>;
}

export type SaveResult =
  | { saved: true }
  /** Lost a race: `current` is the winner's order. `owedExists`: only the refund owed was decided already. */
  | { saved: false; current: Order | null; owedExists?: boolean };

export interface OrdersRepository {
  /** Creates the order and its first history entry; an existing order comes back as a value. */
  create(order: Order, event: OrderEvent): Promise<{ created: true } | { created: false; existing: Order }>;
  get(merchantUid: string): Promise<Order | null>;
  /** The order with its history and the refunds owed beside it (payments it does not keep). */
  getWithHistory(
    merchantUid: string,
  ): Promise<{ order: Order; history: OrderEvent[]; owedRefunds: OwedRefund[] } | null>;
  /**
   * Replaces `current` with `next` only if nobody wrote since `current` was read,
   * appending `event` in the same transaction. A lost race returns the winner's order.
   */
  save(current: Order, next: Order, event?: OrderEvent, owed?: OwedRefund): Promise<SaveResult>;
  recordNotification(note: InboundNotification): Promise<void>;
  /** Orders whose `checkAfter` is before `now`, oldest first, across every shard. */
  listDue(now: Date, limitPerShard: number): Promise<Order[]>;
}

/** Notifications are evidence for support, not state: kept 180 days. */
const NOTE_TTL_SECONDS = 180 * 24 * 3600;

export function createOrdersRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): OrdersRepository {
  const { db, tableName } = deps;

  const toItem = (order: Order) => ({
    ...orderKey(order.merchantUid),
    type: "order",
    ...order,
    ...(order.checkAfter
      ? { GSI1PK: openIndexPk(shardOf(order.merchantUid, OPEN_SHARDS)), GSI1SK: order.checkAfter }
      : {}),
  });
  const eventItem = (merchantUid: string, event: OrderEvent) => ({
    PK: orderKey(merchantUid).PK,
    SK: orderEventSk(event.version),
    type: "order_event",
    ...event,
  });

  const get = async (merchantUid: string): Promise<Order | null> => {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: orderKey(merchantUid), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  };

  return {
    async create(order, event) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: toItem(order),
                  // One order per merchant_uid: a retried or racing create must not overwrite.
                  ConditionExpression: "attribute_not_exists(PK)",
                },
              },
              { Put: { TableName: tableName, Item: eventItem(order.merchantUid, event) } },
            ],
          }),
        );
        return { created: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = await get(order.merchantUid);
        if (!existing) throw error;
        return { created: false, existing };
      }
    },

    get,

    async getWithHistory(merchantUid) {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: "PK = :pk",
            ExpressionAttributeValues: { ":pk": orderKey(merchantUid).PK },
            ConsistentRead: true,
            ExclusiveStartKey: startKey,
          }),
        );
        items.push(...((page.Items ?? []) as Record<string, unknown>[]));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      const orderItem = items.find((item) => item.SK === "ORDER");
      if (!orderItem) return null;
      const history = items
        .filter((item) => item.type === "order_event")
        .map((item) => stripKeys(item) as unknown as OrderEvent)
        .sort((a, b) => a.version - b.version);
      const owedRefunds = items.filter((item) => item.type === "owed_refund").map(fromOwedItem);
      return { order: fromItem(orderItem), history, owedRefunds };
    },

    async save(current, next, event, owed) {
      // `version = :v` protects against every concurrent writer (another door, a
      // duplicate webhook, the reconciler): the loser re-reads and re-decides.
      const put = {
        TableName: tableName,
        Item: toItem(next),
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":v": current.version },
      };
      const items = [
        { Put: put },
        ...(event
          ? [
              {
                Put: {
                  TableName: tableName,
                  Item: eventItem(next.merchantUid, event),
                  // One history entry per version: a replayed write cannot add a second.
                  ConditionExpression: "attribute_not_exists(SK)",
                },
              },
            ]
          : []),
        // The decision to refund is written with the change that makes it, or not at all.
        ...(owed ? [putOwedRefund(tableName, owed)] : []),
      ];
      try {
        if (items.length > 1) await db.send(new TransactWriteCommand({ TransactItems: items }));
        else await db.send(new PutCommand(put));
        return { saved: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const failed = failedItems(error);
        const owedExists = Boolean(owed) && failed.length === 1 && failed[0] === items.length - 1;
        return {
          saved: false,
          current: await get(current.merchantUid),
          ...(owedExists ? { owedExists } : {}),
        };
      }
    },

    async recordNotification(note) {
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: orderKey(note.merchantUid).PK,
            SK: orderNoteSk(note.receivedAt, note.id),
            type: "notification",
            ...note,
            expiresAt: Math.floor(Date.parse(note.receivedAt) / 1000) + NOTE_TTL_SECONDS,
          },
        }),
      );
    },

    async listDue(now, limitPerShard) {
      const shards = Array.from({ length: OPEN_SHARDS }, (_, shard) => shard);
      const pages = await Promise.all(
        shards.map((shard) =>
          db.send(
            new QueryCommand({
              TableName: tableName,
              IndexName: "GSI1",
              KeyConditionExpression: "GSI1PK = :pk AND GSI1SK <= :now",
              ExpressionAttributeValues: { ":pk": openIndexPk(shard), ":now": now.toISOString() },
              Limit: limitPerShard,
            }),
          ),
        ),
      );
      return pages
        .flatMap((page) => page.Items ?? [])
        .map(fromItem)
        .sort((a, b) => (a.checkAfter ?? "").localeCompare(b.checkAfter ?? ""));
    },
  };
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, type: _type, expiresAt: _ttl, ...rest } = item;
  return rest;
}

function fromItem(item: Record<string, unknown>): Order {
  return stripKeys(item) as unknown as Order;
}

function isConditionFailure(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((reason) => reason.Code === "ConditionalCheckFailed");
  }
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}
