/**
 * The publisher: outbox items from the table's stream to the stage's bus, at
 * least once. Each record's envelope is parsed (the stream is a trust
 * boundary like any other), sent in PutEvents calls of at most 10, and the
 * records whose entry was refused, or whose call failed, come back as failed
 * so Lambda delivers them again; consumers dedupe by the event's id.
 */
import type { Logger } from "../observability/logger.js";
import * as z from "../validation/zod.js";
import { AGGREGATE_TYPES } from "./domain-event.js";
import { type BusEntry, type EventBus, MAX_ENTRIES_PER_PUT } from "./event-bus.js";
import { EVENT_TYPES } from "./event-schemas.js";

/** One stream record that carried an outbox item (the event filter lets no other through). */
export interface OutboxRecord {
  /** The record's sequence number: what `batchItemFailures` names. */
  id: string;
  /** The item's `event` attribute, unmarshalled; not trusted yet. */
  event: unknown;
}

export interface PublishEventsDeps {
  bus: EventBus;
  logger: Logger;
  /** The events' `Source` (`kicc-iamport.<stage>`). */
  source: string;
}

/**
 * The envelope as the outbox holds it. `data` is checked by the catalogue's schemas in tests and where it is
 * built; here only the envelope is, so a consumer can always route and dedupe what it receives.
 */
const envelopeSchema = z.object({
  id: z.string().check(z.regex(/^evt_[0-9a-f]{24}$/)),
  type: z.enum(EVENT_TYPES as [string, ...string[]]),
  time: z.string().check(z.minLength(1)),
  aggregate: z.object({
    type: z.enum(AGGREGATE_TYPES),
    id: z.string().check(z.minLength(1)),
    version: z.number().check(z.int(), z.gte(1)),
  }),
  data: z.record(z.string(), z.unknown()),
});

/**
 * Publishes one batch of records; returns the ids of the records to deliver again, and why each was not
 * put (the bus's error code, or what failed) for whoever reports them (the ops CLI's republish-events).
 */
export async function publishEvents(
  deps: PublishEventsDeps,
  records: OutboxRecord[],
): Promise<{ failed: string[]; published: number; reasons: Record<string, string> }> {
  const log = deps.logger.child({ job: "publish-events" });
  const failed: string[] = [];
  const reasons: Record<string, string> = {};
  const ready: Array<{ id: string; entry: BusEntry }> = [];
  for (const record of records) {
    const parsed = envelopeSchema.safeParse(record.event);
    if (!parsed.success) {
      // Never dropped: retried, then left in the DLQ where its alarm calls a person.
      log.error("outbox record is not an event envelope", { record: record.id });
      failed.push(record.id);
      reasons[record.id] = "not an event envelope";
      continue;
    }
    const event = parsed.data;
    ready.push({
      id: record.id,
      entry: { source: deps.source, detailType: event.type, detail: JSON.stringify(event), time: event.time },
    });
  }
  let published = 0;
  for (let start = 0; start < ready.length; start += MAX_ENTRIES_PER_PUT) {
    const chunk = ready.slice(start, start + MAX_ENTRIES_PER_PUT);
    try {
      const { failed: refused, errorCodes } = await deps.bus.put(chunk.map((r) => r.entry));
      const refusedIds = new Set(refused.map((i) => chunk[i]?.id));
      for (const [i, r] of chunk.entries()) {
        if (!refusedIds.has(r.id)) continue;
        failed.push(r.id);
        reasons[r.id] = errorCodes?.[i] ?? "refused";
      }
      published += chunk.length - refusedIds.size;
      if (refused.length > 0) log.warn("the bus refused entries", { refused: refused.length });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log.warn("PutEvents failed", { error: message });
      for (const r of chunk) {
        failed.push(r.id);
        reasons[r.id] = `PutEvents failed: ${message.split("\n")[0]}`;
      }
    }
  }
  return { failed, published, reasons };
}
