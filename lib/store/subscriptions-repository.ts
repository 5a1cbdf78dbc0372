/**
 * Subscriptions, their charge attempts, history and inbound notifications in
 * the single table (partition `SUB#<id>`), plus the billing-key updates that
 * must commit with them. Key layout and condition expressions stay in lib/store
 * (items: subscription-items.ts; attempts: charge-attempts-store.ts); the use
 * cases see one narrow interface where an expected conflict is a value.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { ChargeAttempt } from "../billing/charge-attempt.js";
import type { SaveResult, SubscriptionsRepository } from "../billing/ports.js";
import type { Subscription, SubscriptionEvent } from "../billing/subscription.js";
import { billingKeyUpdate } from "./billing-keys-repository.js";
import { chargeAttemptOperations } from "./charge-attempts-store.js";
import { failedItems, isConditionFailure, lostTo } from "./condition-failure.js";
import {
  DUE_SHARDS,
  dueIndexPk,
  shardOf,
  subscriptionKey,
  subscriptionNoteCountSk,
  subscriptionNoteSk,
} from "./keys.js";
import { fromOwedItem } from "./owed-refunds-repository.js";
import { pagesAcrossShards } from "./shard-pages.js";
import {
  eventItem,
  strip,
  subscriptionItem,
  subscriptionWrites,
  type TransactItem,
} from "./subscription-items.js";

/** As for an order: a charge gets a handful of webhooks; the cap bounds what a flood of guesses adds. */
export const MAX_NOTES_PER_SUBSCRIPTION = 50;

/** Notifications are evidence for support, not state: kept 180 days. */
const NOTE_TTL_SECONDS = 180 * 24 * 3600;

/** The repository over one DynamoDB document client and table. */
export function createSubscriptionsRepository(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): SubscriptionsRepository {
  const { db, tableName: TableName } = deps;

  const { putEvent, putOutbox, putSubscription } = subscriptionWrites(TableName);

  const get = async (id: string): Promise<Subscription | null> => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: subscriptionKey(id), ConsistentRead: true }),
    );
    return Item ? strip<Subscription>(Item) : null;
  };
  const saveWith = async (current: Subscription, items: TransactItem[]): Promise<SaveResult> => {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return { saved: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The subscription's put is item 0: when it lost, the version that won came back with the failure.
      // Another item failing (a key being deleted, say) leaves the subscription to read as before.
      const old = lostTo(error, 0);
      return { saved: false, current: old ? strip<Subscription>(old) : await get(current.id) };
    }
  };

  return {
    ...chargeAttemptOperations(deps),
    get,

    async getDetails(id) {
      // Two ranges of the partition, never its notes (any number the public webhook door may have added):
      // `CHARGE#…`/`EVENT#…` sort below `NOTE#`, and `OWED#…` and `SUB` at or above `OWED#`.
      const pk = subscriptionKey(id).PK;
      const range = async (condition: string, bound: string) => {
        const found: Record<string, unknown>[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await db.send(
            new QueryCommand({
              TableName,
              KeyConditionExpression: `PK = :pk AND ${condition}`,
              ExpressionAttributeValues: { ":pk": pk, ":bound": bound },
              ConsistentRead: true,
              ExclusiveStartKey: startKey,
            }),
          );
          found.push(...((page.Items ?? []) as Record<string, unknown>[]));
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return found;
      };
      const items = (
        await Promise.all([range("SK < :bound", "NOTE#"), range("SK >= :bound", "OWED#")])
      ).flat();
      const subItemFound = items.find((item) => item.SK === "SUB");
      if (!subItemFound) return null;
      const ofType = <T>(type: string) =>
        items.filter((item) => item.type === type).map((item) => strip<T>(item));
      return {
        subscription: strip<Subscription>(subItemFound),
        attempts: ofType<ChargeAttempt>("charge_attempt"),
        history: ofType<SubscriptionEvent>("subscription_event").sort((a, b) => a.version - b.version),
        owedRefunds: items.filter((item) => item.type === "owed_refund").map(fromOwedItem),
      };
    },

    async create(sub, event, key) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              // One subscription per id (per Idempotency-Key): a retried or racing create must not overwrite.
              {
                Put: {
                  TableName,
                  Item: subscriptionItem(sub),
                  ConditionExpression: "attribute_not_exists(PK)",
                  // ...and the existing one comes back in the same round trip.
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
              { Put: { TableName, Item: eventItem(sub.id, event) } },
              { Update: billingKeyUpdate(TableName, key, { add: sub.id }) },
              ...putOutbox(null, sub, event),
            ],
          }),
        );
        return { created: true };
      } catch (error) {
        const failed = failedItems(error);
        if (failed.length === 0) throw error;
        if (!failed.includes(0)) return { created: false, existing: null };
        const old = lostTo(error, 0);
        return { created: false, existing: old ? strip<Subscription>(old) : await get(sub.id) };
      }
    },

    save: (current, next, event) =>
      saveWith(current, [
        putSubscription(current, next),
        ...(event ? [putEvent(next.id, event), ...putOutbox(current, next, event)] : []),
      ]),

    switchCard: (current, next, event, newKey) =>
      saveWith(current, [
        putSubscription(current, next),
        putEvent(next.id, event),
        ...putOutbox(current, next, event),
        { Update: billingKeyUpdate(TableName, newKey, { add: next.id }) },
        {
          Update: billingKeyUpdate(
            TableName,
            { customerUid: current.customerUid, updatedAt: next.updatedAt },
            { remove: next.id },
          ),
        },
      ]),

    async setCheckAfter(sub, checkAfter) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: subscriptionKey(sub.id),
            ...(checkAfter
              ? {
                  UpdateExpression: "SET checkAfter = :c, GSI1PK = :pk, GSI1SK = :c",
                  ExpressionAttributeValues: {
                    ":c": checkAfter,
                    ":pk": dueIndexPk(shardOf(sub.id, DUE_SHARDS)),
                    ":v": sub.version,
                  },
                }
              : {
                  UpdateExpression: "REMOVE checkAfter, GSI1PK, GSI1SK",
                  ExpressionAttributeValues: { ":v": sub.version },
                }),
            // Only the version the caller decided on: a state change since then set its own index entry.
            ConditionExpression: "version = :v",
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async recordNotification(note) {
      const pk = subscriptionKey(note.subscriptionId).PK;
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName,
                  Item: {
                    PK: pk,
                    SK: subscriptionNoteSk(note.source, note.impUid, note.status),
                    type: "subscription_notification",
                    ...note,
                    expiresAt: Math.floor(Date.parse(note.receivedAt) / 1000) + NOTE_TTL_SECONDS,
                  },
                  // Stored once: the same notification again (a retry, a replay, a flood) adds nothing.
                  ConditionExpression: "attribute_not_exists(SK)",
                },
              },
              {
                Update: {
                  TableName,
                  Key: { PK: pk, SK: subscriptionNoteCountSk },
                  UpdateExpression: "ADD #count :one SET #type = :type",
                  // The cap: a note is stored only while the subscription holds fewer than the maximum.
                  ConditionExpression: "attribute_not_exists(#count) OR #count < :max",
                  ExpressionAttributeNames: { "#count": "count", "#type": "type" },
                  ExpressionAttributeValues: {
                    ":one": 1,
                    ":max": MAX_NOTES_PER_SUBSCRIPTION,
                    ":type": "note_count",
                  },
                },
              },
            ],
          }),
        );
        return "stored";
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        return failedItems(error).includes(0) ? "duplicate" : "capped";
      }
    },

    pagesDue: (now, pageSize) =>
      pagesAcrossShards(db, {
        TableName,
        pks: Array.from({ length: DUE_SHARDS }, (_, shard) => dueIndexPk(shard)),
        until: now.toISOString(),
        pageSize,
        map: (item) => strip<Subscription>(item),
      }),
  };
}
