/**
 * Orders, their append-only history and inbound notifications in the single
 * table. Key layout and condition expressions stay inside this file; the use
 * cases see a narrow interface where an expected conflict is a value, not an
 * exception.
 */
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Order, OrderEvent } from "../orders/order.js";
import type { InboundNotification, OrdersRepository } from "../orders/ports.js";
import { nextHeldAudit } from "../orders/rules/held-audit.js";
import { orderEvents } from "../orders/rules/order-events.js";
import { failedItems, isConditionFailure, lostTo } from "./condition-failure.js";
import {
  heldIndexPk,
  OPEN_SHARDS,
  openIndexPk,
  orderEventSk,
  orderKey,
  orderNoteCountSk,
  orderNoteSk,
  shardOf,
} from "./keys.js";
import { putOutbox } from "./outbox-items.js";
import { fromOwedItem, owedRefundOutbox, putOwedRefund } from "./owed-refunds-repository.js";

/** Notifications are evidence for support, not state: kept 180 days. */
const NOTE_TTL_SECONDS = 180 * 24 * 3600;
/**
 * A real order gets a handful (three doors, a few statuses, a payment or two); the cap bounds what a
 * flood can add while iamport is down and nothing can be verified. The count outlives the notes' TTL,
 * so an order past it keeps no more evidence: by then it has long been settled or reconciled.
 */
export const MAX_NOTES_PER_ORDER = 50;

/**
 * The order's place on GSI1: the reconciler's due index while `checkAfter` is set; else, while it holds
 * money, the held-payment audit's (its schedule is the domain's: nextHeldAudit); else none.
 */
function indexOf(order: Order): { GSI1PK: string; GSI1SK: string } | Record<string, never> {
  const shard = shardOf(order.merchantUid, OPEN_SHARDS);
  if (order.checkAfter) return { GSI1PK: openIndexPk(shard), GSI1SK: order.checkAfter };
  const audit = nextHeldAudit(order);
  return audit ? { GSI1PK: heldIndexPk(shard), GSI1SK: audit } : {};
}

export function createOrdersRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): OrdersRepository {
  const { db, tableName } = deps;

  const toItem = (order: Order) => ({
    ...orderKey(order.merchantUid),
    type: "order",
    ...order,
    ...indexOf(order),
  });
  const eventItem = (merchantUid: string, event: OrderEvent) => ({
    PK: orderKey(merchantUid).PK,
    SK: orderEventSk(event.version),
    type: "order_event",
    ...event,
  });
  /** The domain events of a change (decided in lib/orders/rules/order-events.ts), to commit with its history entry. */
  const outboxItems = (current: Order | null, next: Order, event: OrderEvent) =>
    orderEvents(current, next, event).map((e) => putOutbox(tableName, orderKey(next.merchantUid).PK, e));

  /** A note stored once per (source, imp_uid, status), and the order's note count under its cap. */
  const noteItems = (note: InboundNotification) => {
    const pk = orderKey(note.merchantUid).PK;
    return [
      {
        Put: {
          TableName: tableName,
          Item: {
            PK: pk,
            SK: orderNoteSk(note.source, note.impUid, note.status),
            type: "notification",
            ...note,
            expiresAt: Math.floor(Date.parse(note.receivedAt) / 1000) + NOTE_TTL_SECONDS,
          },
          // Stored once: the same notification again (a retry, a replay, a flood) adds nothing.
          ConditionExpression: "attribute_not_exists(SK)",
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: { PK: pk, SK: orderNoteCountSk },
          UpdateExpression: "ADD #count :one SET #type = :type",
          // The cap: a note is stored only while the order holds fewer than the maximum.
          ConditionExpression: "attribute_not_exists(#count) OR #count < :max",
          ExpressionAttributeNames: { "#count": "count", "#type": "type" },
          ExpressionAttributeValues: {
            ":one": 1,
            ":max": MAX_NOTES_PER_ORDER,
            ":type": "note_count",
          },
        },
      },
    ];
  };

  const get = async (merchantUid: string): Promise<Order | null> => {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: orderKey(merchantUid), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : null;
  };

  return {
    get,

    async getWithNote(merchantUid, note) {
      const pk = orderKey(merchantUid).PK;
      const noteSk = orderNoteSk(note.source, note.impUid, note.status);
      const keys = [orderKey(merchantUid), { PK: pk, SK: noteSk }];
      const { Responses, UnprocessedKeys } = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: undefined },
          },
        }),
      );
      const items = [...(Responses?.[tableName] ?? [])];
      // Keys DynamoDB left unread (throttling) are read one by one: the answer never depends on them.
      for (const Key of UnprocessedKeys?.[tableName]?.Keys ?? []) {
        const { Item } = await db.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
        if (Item) items.push(Item);
      }
      const order = items.find((item) => item.SK === orderKey(merchantUid).SK);
      return { order: order ? fromItem(order) : null, noteStored: items.some((item) => item.SK === noteSk) };
    },

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
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
              { Put: { TableName: tableName, Item: eventItem(order.merchantUid, event) } },
              ...outboxItems(null, order, event),
            ],
          }),
        );
        return { created: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const existing = lostTo(error, 0);
        if (!existing) throw error;
        return { created: false, existing: fromItem(existing) };
      }
    },

    async getWithHistory(merchantUid) {
      // Two ranges of the partition, never its notes (any number a public door may have added, read by
      // listNotifications page by page): `CANCELLATION#…`/`EVENT#…` sort below `NOTE#`, and `ORDER`,
      // `OUTBOX#…`, `OWED#…` and `REFUND#…` at or above `ORDER` (the outbox items, a handful, are skipped by type).
      const pk = orderKey(merchantUid).PK;
      const [below, above] = await Promise.all([
        queryAll(db, tableName, "PK = :pk AND SK < :note", { ":pk": pk, ":note": "NOTE#" }),
        queryAll(db, tableName, "PK = :pk AND SK >= :order", { ":pk": pk, ":order": "ORDER" }),
      ]);
      const items = [...below, ...above];
      const orderItem = items.find((item) => item.SK === "ORDER");
      if (!orderItem) return null;
      const history = items
        .filter((item) => item.type === "order_event")
        .map((item) => stripKeys(item) as unknown as OrderEvent)
        .sort((a, b) => a.version - b.version);
      const owedRefunds = items.filter((item) => item.type === "owed_refund").map(fromOwedItem);
      return { order: fromItem(orderItem), history, owedRefunds };
    },

    async save(current, next, event, owed, note) {
      // `version = :v` protects against every concurrent writer (another door, a
      // duplicate webhook, the reconciler): the loser re-reads and re-decides.
      const put = {
        TableName: tableName,
        Item: toItem(next),
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":v": current.version },
        // The winner of a lost race comes back with the refusal: the loser re-decides without a read.
        ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
      };
      const items: Array<Record<string, unknown>> = [{ Put: put }];
      if (event)
        items.push({
          Put: {
            TableName: tableName,
            Item: eventItem(next.merchantUid, event),
            // One history entry per version: a replayed write cannot add a second.
            ConditionExpression: "attribute_not_exists(SK)",
          },
        });
      // The events this change publishes commit with it or not at all (the outbox).
      if (event) items.push(...outboxItems(current, next, event));
      const orderItems = items.length;
      // The decision to refund is written with the change that makes it, or not at all.
      const owedAt = owed ? items.push(putOwedRefund(tableName, owed)) - 1 : -1;
      if (owed) items.push(...owedRefundOutbox(tableName, null, owed));
      const noteAt = note ? items.push(...noteItems(note)) - 2 : -1;
      try {
        if (items.length > 1) await db.send(new TransactWriteCommand({ TransactItems: items as never }));
        else await db.send(new PutCommand(put));
        return { saved: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const failed = failedItems(error);
        if (failed.length > 0 && failed.every((index) => index >= orderItems)) {
          // The order was not contended: nothing to read again.
          return {
            saved: false,
            current,
            ...(failed.includes(owedAt) ? { owedExists: true } : {}),
            ...(failed.includes(noteAt)
              ? { noteRefused: "duplicate" as const }
              : failed.includes(noteAt + 1)
                ? { noteRefused: "capped" as const }
                : {}),
          };
        }
        if (failed.length === 0 || failed.includes(0)) {
          const winner = lostTo(error, 0);
          return { saved: false, current: winner ? fromItem(winner) : null };
        }
        // Only the history entry of this version was refused (a replayed write): read what holds it.
        return { saved: false, current: await get(current.merchantUid) };
      }
    },

    async recordNotification(note) {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: noteItems(note) as never }));
        return "stored";
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return failedItems(error).includes(0) ? "duplicate" : "capped";
      }
    },

    async listNotifications(merchantUid, options = {}) {
      const page = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :note)",
          ExpressionAttributeValues: { ":pk": orderKey(merchantUid).PK, ":note": "NOTE#" },
          Limit: Math.min(Math.max(options.limit ?? 20, 1), 100),
          ...(options.after
            ? { ExclusiveStartKey: { PK: orderKey(merchantUid).PK, SK: `NOTE#${options.after}` } }
            : {}),
        }),
      );
      const last = page.LastEvaluatedKey?.SK;
      return {
        notes: (page.Items ?? []).map((item) => stripKeys(item) as unknown as InboundNotification),
        next: typeof last === "string" ? last.slice("NOTE#".length) : null,
      };
    },

    listDue: (now, limitPerShard) => dueOn(openIndexPk, now, limitPerShard),

    listHeldDue: (now, limitPerShard) => dueOn(heldIndexPk, now, limitPerShard),

    async markAudited(order, auditAfter) {
      const audited = { ...order, auditAfter };
      const index = indexOf(audited);
      try {
        // Not a change of the order: no version, no history, no event. A writer that saves meanwhile
        // (version = :v fails here) carries its own, earlier, audit time: the audit only comes sooner.
        await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: orderKey(order.merchantUid),
            ConditionExpression: "version = :v",
            ...("GSI1PK" in index
              ? {
                  UpdateExpression: "SET auditAfter = :a, GSI1PK = :pk, GSI1SK = :sk",
                  ExpressionAttributeValues: {
                    ":v": order.version,
                    ":a": auditAfter,
                    ":pk": index.GSI1PK,
                    ":sk": index.GSI1SK,
                  },
                }
              : {
                  UpdateExpression: "SET auditAfter = :a REMOVE GSI1PK, GSI1SK",
                  ExpressionAttributeValues: { ":v": order.version, ":a": auditAfter },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };

  /** Orders on one of GSI1's sharded indexes whose time is at or before `now`, earliest first. */
  async function dueOn(pkOf: (shard: number) => string, now: Date, limitPerShard: number): Promise<Order[]> {
    const shards = Array.from({ length: OPEN_SHARDS }, (_, shard) => shard);
    const pages = await Promise.all(
      shards.map((shard) =>
        db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: "GSI1",
            KeyConditionExpression: "GSI1PK = :pk AND GSI1SK <= :now",
            ExpressionAttributeValues: { ":pk": pkOf(shard), ":now": now.toISOString() },
            Limit: limitPerShard,
          }),
        ),
      ),
    );
    return pages
      .flatMap((page) =>
        (page.Items ?? []).map((item) => ({ order: fromItem(item), at: String(item.GSI1SK) })),
      )
      .sort((a, b) => a.at.localeCompare(b.at))
      .map(({ order }) => order);
  }
}

/** Every item of one key range of a partition, page by page. */
async function queryAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keyCondition: string,
  values: Record<string, unknown>,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: keyCondition,
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, type: _type, expiresAt: _ttl, ...rest } = item;
  return rest;
}

function fromItem(item: Record<string, unknown>): Order {
  return stripKeys(item) as unknown as Order;
}

/** The order an ORDER item holds, for a repository that reads it beside its own items in one round trip. */
export const orderFromItem = fromItem;
