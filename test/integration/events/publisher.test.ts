/**
 * The publisher handler as Lambda calls it, with chosen stream records,
 * against the local bus over signed HTTP: a redelivered record is published
 * with the same id, entries the bus refuses come back as exactly their
 * records' batchItemFailures, an outage fails the whole batch, and a record
 * that is not an envelope is never dropped silently.
 */
import { afterEach, describe, expect, test } from "vitest";
import { useStack } from "../../support/stack.js";
import { paidOrder } from "../orders/refunds/support.js";
import { invokePublisher, outboxItems, publishedFor } from "./support.js";

const ctx = useStack();
afterEach(() => {
  ctx().stack.events.refuseEntries(null);
  ctx().stack.events.failCalls(0);
});

/** A valid envelope of `type` for a fresh aggregate. */
const envelope = (n: number, type = "order.paid") => ({
  id: `evt_${n.toString(16).padStart(24, "0")}`,
  type,
  time: "2026-12-01T00:00:00.000Z",
  aggregate: { type: "order", id: `publisher-test-${n}`, version: 2 },
  data: { merchant_uid: `publisher-test-${n}` },
});

describe("the publisher", () => {
  test("a stream record delivered again is published with the same id (consumers dedupe by it)", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    const [item] = await outboxItems(t, `ORDER#${merchantUid}`);
    if (!item) throw new Error("no outbox item");
    await publishedFor(t, merchantUid);

    const answer = await invokePublisher(t, [{ sequenceNumber: "900", event: item.event }]);
    const events = t.stack.events.events(merchantUid);

    expect(answer.batchItemFailures).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ id: (item.event as { id: string }).id, deliveries: 2 });
  });

  test("GET /__local/events lists one aggregate's events for the demo pages (and any origin may read it)", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    await publishedFor(t, merchantUid);

    const res = await fetch(`${t.stack.apiUrl}/__local/events?aggregate=${encodeURIComponent(merchantUid)}`);
    const body = (await res.json()) as { events: Array<{ type: string; aggregate: { id: string } }> };

    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(body.events.map((e) => [e.type, e.aggregate.id])).toEqual([["order.paid", merchantUid]]);
  });

  test("entries PutEvents refused come back as exactly their records; the rest are put", async () => {
    const t = ctx();
    const records = Array.from({ length: 12 }, (_, i) => ({
      sequenceNumber: String(1000 + i),
      event: envelope(1000 + i),
    }));
    // Two entries of the first call of 10, one of the second.
    const refused = new Set(["publisher-test-1001", "publisher-test-1004", "publisher-test-1011"]);
    t.stack.events.refuseEntries((e) => refused.has(e.aggregate.id));

    const answer = await invokePublisher(t, records);

    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["1001", "1004", "1011"]);
    const put = records.filter((r) => t.stack.events.events(r.event.aggregate.id).length === 1);
    expect(put.map((r) => r.sequenceNumber)).toEqual(
      records.map((r) => r.sequenceNumber).filter((s) => !["1001", "1004", "1011"].includes(s)),
    );
  });

  test("PutEvents failing whole (an outage) fails every record of that call", async () => {
    const t = ctx();
    t.stack.events.failCalls(1);
    const records = Array.from({ length: 3 }, (_, i) => ({
      sequenceNumber: String(2000 + i),
      event: envelope(2000 + i),
    }));

    const answer = await invokePublisher(t, records);

    expect(answer.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(["2000", "2001", "2002"]);
    expect(t.stack.events.events("publisher-test-2000")).toEqual([]);
  });

  test("a record that is not an event envelope is reported failed (retried, then the DLQ), the others are put", async () => {
    const t = ctx();

    const answer = await invokePublisher(t, [
      { sequenceNumber: "3000", event: { id: "not-an-event" } },
      { sequenceNumber: "3001", event: envelope(3001, "subscription.charged") },
    ]);

    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: "3000" }]);
    expect(t.stack.events.events("publisher-test-3001").map((e) => e.type)).toEqual(["subscription.charged"]);
  });
});
