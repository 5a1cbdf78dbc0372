/**
 * How subscriptions, charge attempts and their history are laid out as items
 * of the single table (keys, the sparse GSI1 entries) and the guarded puts
 * both repositories' transactions share.
 */
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { ChargeAttempt } from "../billing/charge-attempt.js";
import { nextKeptAudit } from "../billing/rules/kept-audit.js";
import { subscriptionEvents } from "../billing/rules/subscription-events.js";
import type { Subscription, SubscriptionEvent } from "../billing/subscription.js";
import {
  chargeAttemptSk,
  DUE_SHARDS,
  dueIndexPk,
  keptIndexPk,
  shardOf,
  subscriptionEventSk,
  subscriptionKey,
  unknownIndexPk,
} from "./keys.js";
import { putOutbox } from "./outbox-items.js";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const INTERNAL = ["PK", "SK", "GSI1PK", "GSI1SK", "type", "expiresAt"];

/** The stored record without its key and index attributes. */
export function strip<T>(item: Record<string, unknown>): T {
  const copy = { ...item };
  for (const key of INTERNAL) delete copy[key];
  return copy as T;
}

/** The key of a charge attempt: beside its subscription, sorted by cycle and attempt. */
export const attemptKey = (id: string, cycle: number, attempt: number) => ({
  PK: subscriptionKey(id).PK,
  SK: chargeAttemptSk(cycle, attempt),
});

/** In the due index (`DUE#<shard>` / checkAfter) while it has something to do at a time. */
export const subscriptionItem = (sub: Subscription) => ({
  ...subscriptionKey(sub.id),
  type: "subscription",
  ...sub,
  ...(sub.checkAfter ? { GSI1PK: dueIndexPk(shardOf(sub.id, DUE_SHARDS)), GSI1SK: sub.checkAfter } : {}),
});

/**
 * In the open-attempt index (`UNKNOWN#<shard>` / checkAfter) while claimed or unknown, or a refusal awaits
 * its re-check; once paid and kept, in the kept-charge audit's (`KEPT#<shard>`, its schedule the domain's).
 */
export const attemptItem = (a: ChargeAttempt) => ({
  ...attemptKey(a.subscriptionId, a.cycle, a.attempt),
  type: "charge_attempt",
  ...a,
  ...attemptIndexOf(a),
});

export function attemptIndexOf(a: ChargeAttempt): { GSI1PK: string; GSI1SK: string } | Record<string, never> {
  const shard = shardOf(a.merchantUid, DUE_SHARDS);
  // `recheck` is only ever set on a refusal (an error, or a decline answered with a non-zero code).
  if ((a.status === "claimed" || a.status === "unknown" || a.recheck) && a.checkAfter)
    return { GSI1PK: unknownIndexPk(shard), GSI1SK: a.checkAfter };
  const audit = nextKeptAudit(a);
  return audit ? { GSI1PK: keptIndexPk(shard), GSI1SK: audit } : {};
}

/** One history entry per subscription version. */
export const eventItem = (id: string, event: SubscriptionEvent) => ({
  PK: subscriptionKey(id).PK,
  SK: subscriptionEventSk(event.version),
  type: "subscription_event",
  ...event,
});

/** The guarded writes of a subscription's state, for any transaction. */
export function subscriptionWrites(TableName: string) {
  return {
    // One history entry per version: a replayed write cannot add a second.
    putEvent: (id: string, event: SubscriptionEvent): TransactItem => ({
      Put: { TableName, Item: eventItem(id, event), ConditionExpression: "attribute_not_exists(SK)" },
    }),
    /**
     * The domain events of a change (decided in lib/billing/subscription-events.ts): they go wherever its
     * history entry goes, so they commit with the change or not at all (the outbox).
     */
    putOutbox: (
      current: Subscription | null,
      next: Subscription,
      event: SubscriptionEvent,
      options?: { chargeAmount?: number },
    ): TransactItem[] =>
      subscriptionEvents(current, next, event, options).map((e) =>
        putOutbox(TableName, subscriptionKey(next.id).PK, e),
      ),
    // `version = :v`: every concurrent writer (the consumer, the webhook, the
    // dispatcher, a merchant command) loses cleanly and re-reads.
    putSubscription: (current: Subscription, next: Subscription): TransactItem => ({
      Put: {
        TableName,
        Item: subscriptionItem(next),
        ConditionExpression: "version = :v",
        ExpressionAttributeValues: { ":v": current.version },
        // A lost race reads the winner in the same round trip (a save's caller decides again on it).
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      },
    }),
  };
}
