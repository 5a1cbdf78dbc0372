/**
 * The envelope every domain event travels in (docs/events.md): written as an
 * outbox item in the same transaction as the change it reports, published to
 * the stage's EventBridge bus at least once. Consumers dedupe by `id`.
 */
import { createHash } from "node:crypto";
import type { EventData, EventType } from "./event-schemas.js";

/** `refund_owed`: a refund this service owes (lib/ledger/owed-refund.ts), its own versioned item. */
export const AGGREGATE_TYPES = ["order", "subscription", "refund_owed"] as const;

/** The aggregate a change happened to, and the version the change made. */
export interface EventAggregate {
  type: (typeof AGGREGATE_TYPES)[number];
  /** The merchant_uid of an order, the id of a subscription, the imp_uid of a refund owed. */
  id: string;
  version: number;
}

/** One domain event; `data` is the body its type's zod schema describes (event-schemas.ts). */
export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  /** When the change happened (the history entry's time), ISO 8601. */
  time: string;
  aggregate: EventAggregate;
  data: EventData<T>;
}

/**
 * `evt_` + 24 hex of sha256(aggregate, version, type): the same change gives the
 * same id however often it is written or delivered, so a replayed write cannot
 * add a second event and a redelivery is recognisable.
 */
export function eventId(aggregate: EventAggregate, type: EventType): string {
  const digest = createHash("sha256")
    .update(`${aggregate.type}#${aggregate.id}#${aggregate.version}#${type}`)
    .digest("hex");
  return `evt_${digest.slice(0, 24)}`;
}

/** Builds an event of `type` for the change that made `aggregate.version`. */
export function domainEvent<T extends EventType>(
  aggregate: EventAggregate,
  type: T,
  time: string,
  data: EventData<T>,
): DomainEvent<T> {
  return { id: eventId(aggregate, type), type, time, aggregate, data };
}
