/**
 * The charge-attempt half of the subscriptions repository: claims, their
 * updates, settling an attempt together with its subscription, and paging
 * the open-attempt index. Expected conflicts come back as values.
 */

import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { ChargeAttempt } from "../billing/charge-attempt.js";
import type { SubscriptionsRepository } from "../billing/ports.js";
import type { Subscription } from "../billing/subscription.js";
import { failedItems, isConditionFailure, lostTo } from "./condition-failure.js";
import { DUE_SHARDS, keptIndexPk, subscriptionKey, unknownIndexPk } from "./keys.js";
import { owedRefundOutbox, putOwedRefund } from "./owed-refunds-repository.js";
import { pagesAcrossShards } from "./shard-pages.js";
import {
  attemptIndexOf,
  attemptItem,
  attemptKey,
  strip,
  subscriptionWrites,
  type TransactItem,
} from "./subscription-items.js";
import { transactGet } from "./transact-get.js";

export type ChargeAttemptOperations = Pick<
  SubscriptionsRepository,
  | "getAttempt"
  | "getForCharge"
  | "claim"
  | "updateAttempt"
  | "setAttemptCheckAfter"
  | "settle"
  | "pagesOpenAttempts"
  | "pagesKeptDue"
  | "markAttemptAudited"
  | "decideRefund"
>;

/** The attempt operations of the subscriptions repository, over one client and table. */
export function chargeAttemptOperations(deps: {
  db: DynamoDBDocumentClient;
  tableName: string;
}): ChargeAttemptOperations {
  const { db, tableName: TableName } = deps;
  const { putEvent, putOutbox, putSubscription } = subscriptionWrites(TableName);
  const getAttempt = async (id: string, cycle: number, attempt: number) => {
    const { Item } = await db.send(
      new GetCommand({ TableName, Key: attemptKey(id, cycle, attempt), ConsistentRead: true }),
    );
    return Item ? strip<ChargeAttempt>(Item) : null;
  };

  return {
    getAttempt,

    async getForCharge(id, cycle, attempt) {
      // One snapshot of both (a transaction's read): an attempt settled together with its subscription
      // is never seen settled beside the subscription from before.
      const [sub, found] = await transactGet(db, TableName, [
        subscriptionKey(id),
        attemptKey(id, cycle, attempt),
      ]);
      return {
        subscription: sub ? strip<Subscription>(sub) : null,
        attempt: found ? strip<ChargeAttempt>(found) : null,
      };
    },

    async claim(sub, attempt) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName,
                  Item: attemptItem(attempt),
                  // One claim per (cycle, attempt): a duplicate SQS delivery finds this one instead of charging.
                  ConditionExpression: "attribute_not_exists(PK)",
                  // ...and reads it in the same round trip.
                  ReturnValuesOnConditionCheckFailure: "ALL_OLD",
                },
              },
              {
                ConditionCheck: {
                  TableName,
                  Key: subscriptionKey(sub.id),
                  // The charge was decided on this version: a pause, cancel or card switch since then wins.
                  ConditionExpression: "version = :v",
                  ExpressionAttributeValues: { ":v": sub.version },
                },
              },
            ],
          }),
        );
        return { claimed: true };
      } catch (error) {
        const failed = failedItems(error);
        if (failed.length === 0) throw error;
        if (failed.includes(0)) {
          const old = lostTo(error, 0);
          const existing = old
            ? strip<ChargeAttempt>(old)
            : await getAttempt(attempt.subscriptionId, attempt.cycle, attempt.attempt);
          if (existing) return { claimed: false, existing };
        }
        return { claimed: false, existing: null };
      }
    },

    async updateAttempt(current, next) {
      try {
        await db.send(
          new PutCommand({
            TableName,
            Item: attemptItem(next),
            // Attempts only move forward: a worker, the webhook and the resolver race on `version`.
            ConditionExpression: "version = :v",
            ExpressionAttributeValues: { ":v": current.version },
            // ...and the loser reads the winner in the same round trip.
            ReturnValuesOnConditionCheckFailure: "ALL_OLD",
          }),
        );
        return { saved: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const old = lostTo(error);
        return {
          saved: false,
          current: old
            ? strip<ChargeAttempt>(old)
            : await getAttempt(current.subscriptionId, current.cycle, current.attempt),
        };
      }
    },

    async setAttemptCheckAfter(attempt, checkAfter) {
      try {
        await db.send(
          new UpdateCommand({
            TableName,
            Key: attemptKey(attempt.subscriptionId, attempt.cycle, attempt.attempt),
            UpdateExpression: "SET checkAfter = :c, GSI1SK = :c",
            // Same version, still open: an attempt that moved on keeps the index entry it wrote.
            ConditionExpression: "version = :v AND attribute_exists(GSI1PK)",
            ExpressionAttributeValues: { ":c": checkAfter, ":v": attempt.version },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async decideRefund(current, next, owed) {
      try {
        await db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName,
                  Item: attemptItem(next),
                  // Decided on this version of the attempt: a settler that moved it since decides again.
                  ConditionExpression: "version = :v",
                  ExpressionAttributeValues: { ":v": current.version },
                },
              },
              putOwedRefund(TableName, owed),
              ...owedRefundOutbox(TableName, null, owed),
            ],
          }),
        );
        return "saved";
      } catch (error) {
        const failed = failedItems(error);
        if (failed.length === 0) throw error;
        return failed.includes(0) ? "attempt_changed" : "owed_exists";
      }
    },

    async settle({ attempt, subscription, owed }) {
      const items: TransactItem[] = [
        {
          Put: {
            TableName,
            Item: attemptItem(attempt.next),
            // The attempt as the settler read it: a second settler (webhook vs consumer) loses here.
            ConditionExpression: "version = :v",
            ExpressionAttributeValues: { ":v": attempt.current.version },
          },
        },
      ];
      if (subscription) {
        items.push(
          putSubscription(subscription.current, subscription.next),
          putEvent(subscription.next.id, subscription.event),
          ...putOutbox(subscription.current, subscription.next, subscription.event, {
            chargeAmount: attempt.next.amount,
          }),
        );
      }
      // The refund this settling decides (a surplus or rejected payment) is written with it, or not at all.
      // Its events (unconditional) go before it, so a decision already made is still the last item failed.
      if (owed) items.push(...owedRefundOutbox(TableName, null, owed), putOwedRefund(TableName, owed));
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
        return "saved";
      } catch (error) {
        const failed = failedItems(error);
        if (failed.length === 0) throw error;
        if (failed.includes(0)) return "attempt_changed";
        if (owed && failed.length === 1 && failed[0] === items.length - 1) return "owed_exists";
        return "subscription_changed";
      }
    },

    pagesKeptDue: (now, pageSize) =>
      pagesAcrossShards(db, {
        TableName,
        pks: Array.from({ length: DUE_SHARDS }, (_, shard) => keptIndexPk(shard)),
        until: now.toISOString(),
        pageSize,
        map: (item) => strip<ChargeAttempt>(item),
      }),

    async markAttemptAudited(attempt, auditAfter) {
      const index = attemptIndexOf({ ...attempt, auditAfter });
      try {
        // Not a change of the attempt: no version, no history, no event. A writer that saved meanwhile
        // (version = :v fails here) wrote its own index entry.
        await db.send(
          new UpdateCommand({
            TableName,
            Key: attemptKey(attempt.subscriptionId, attempt.cycle, attempt.attempt),
            ConditionExpression: "version = :v",
            ...("GSI1PK" in index
              ? {
                  UpdateExpression: "SET auditAfter = :a, GSI1PK = :pk, GSI1SK = :sk",
                  ExpressionAttributeValues: {
                    ":v": attempt.version,
                    ":a": auditAfter,
                    ":pk": index.GSI1PK,
                    ":sk": index.GSI1SK,
                  },
                }
              : {
                  UpdateExpression: "SET auditAfter = :a REMOVE GSI1PK, GSI1SK",
                  ExpressionAttributeValues: { ":v": attempt.version, ":a": auditAfter },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    pagesOpenAttempts: (now, pageSize) =>
      pagesAcrossShards(db, {
        TableName,
        pks: Array.from({ length: DUE_SHARDS }, (_, shard) => unknownIndexPk(shard)),
        until: now.toISOString(),
        pageSize,
        map: (item) => strip<ChargeAttempt>(item),
      }),
  };
}
