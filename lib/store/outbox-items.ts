/**
 * Outbox items: a domain event stored in its aggregate's partition by the same
 * transaction as the change it reports (`OUTBOX#<event id>`), and published
 * from the table's stream (functions/publish-events.ts). Only repositories
 * import this.
 */
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../events/domain-event.js";
import { outboxSk } from "./keys.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Long enough for the stream (24 hours) and any redrive from the DLQ; then the item is only clutter. */
export const OUTBOX_TTL_SECONDS = 30 * 24 * 3600;

/**
 * The put of one event beside its aggregate (`pk`), guarded unless `options.guarded` is false: a write
 * whose own guarded item already makes the event happen once (a refund owed) leaves it unguarded, so a
 * failed transaction reports only that item as failed.
 */
export function putOutbox(
  TableName: string,
  pk: string,
  event: DomainEvent,
  options: { guarded?: boolean } = {},
): TransactItem {
  return {
    Put: {
      TableName,
      Item: {
        PK: pk,
        SK: outboxSk(event.id),
        type: "outbox",
        event,
        expiresAt: Math.floor(Date.parse(event.time) / 1000) + OUTBOX_TTL_SECONDS,
      },
      // One item per event id: a replayed write cannot add (or publish) a second.
      ...(options.guarded === false ? {} : { ConditionExpression: "attribute_not_exists(SK)" }),
    },
  };
}
