/**
 * The ops timeline's domain events, as the real changes wrote them: the
 * outbox items the same transactions put in the aggregate's partition (read
 * back from DynamoDB Local, not made by hand), while the local stack's
 * publisher runs on the table's stream and puts them on the bus.
 */
import { describe, expect, test } from "vitest";
import type { TestStack } from "../../support/stack.js";
import { useStack } from "../../support/stack.js";
import { DAY, dispatchAt, subscribed, view } from "../billing/support.js";
import { outboxItems, publishedFor } from "../events/support.js";
import { order, paidOrder, refund } from "../orders/refunds/support.js";
import { ops } from "./support.js";

const ctx = useStack();

type Entry = { at: string; kind: string; what: string; by: string };
type Envelope = {
  id: string;
  type: string;
  time: string;
  aggregate: { id: string; version: number };
  data: Record<string, unknown>;
};

/** The outbox items of a partition, oldest change first: what the timeline must show, once each. */
async function written(t: TestStack, pk: string): Promise<Envelope[]> {
  const items = await outboxItems(t, pk);
  return items
    .map((item) => item.event as Envelope)
    .sort((a, b) => a.aggregate.version - b.aggregate.version || a.type.localeCompare(b.type));
}

/** `ops timeline <id> --json`: its entries, and the event lines parsed back to [type, version, id, at]. */
async function timeline(t: TestStack, id: string) {
  const run = await ops(t, ["timeline", id, "--json"]);
  expect(run.code, run.stderr).toBe(0);
  const entries: Entry[] = JSON.parse(run.stdout).entries;
  const events = entries.flatMap((e, index) => {
    if (e.kind !== "event") return [];
    const m = /^([a-z_.]+) \(v(\d+), (evt_[0-9a-f]+)\)$/.exec(e.what);
    expect(m, e.what).not.toBeNull();
    return [{ index, type: m?.[1], version: Number(m?.[2]), id: m?.[3], at: e.at, by: e.by }];
  });
  const transition = (version: number) =>
    entries.findIndex((e) => e.kind === "transition" && e.what.startsWith(`v${version} `));
  return { entries, events, transition, text: (await ops(t, ["timeline", id])).stdout };
}

describe("the timeline's domain events", () => {
  test("an order paid, partly then fully refunded: order.paid and both refund events, in order, once each, as written", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t, { amount: 12_000 });
    expect((await refund(t, merchantUid, { amount: 5_000, reason: "사이즈 교환" })).status).toBe(201);
    expect((await refund(t, merchantUid, { reason: "반품" })).status).toBe(201);
    expect((await order(t, merchantUid)).status).toBe("refunded");

    const outbox = await written(t, `ORDER#${merchantUid}`);
    const published = await publishedFor(t, merchantUid);
    const { events, transition, text } = await timeline(t, merchantUid);

    expect(outbox.map((e) => e.type)).toEqual(["order.paid", "order.partially_refunded", "order.refunded"]);
    expect(outbox.map((e) => e.data.refunded_amount ?? 0)).toEqual([0, 5_000, 12_000]);
    // One line per outbox item, in change order, with its id, version and the change's time.
    expect(events.map(({ type, version, id, at }) => ({ type, version, id, at }))).toEqual(
      outbox.map((e) => ({ type: e.type, version: e.aggregate.version, id: e.id, at: e.time })),
    );
    expect(events.every((e) => e.by === "domain event")).toBe(true);
    // Each right after the transition it reports, before the next one.
    for (const event of events) {
      expect(event.index).toBeGreaterThan(transition(event.version));
      const next = transition(event.version + 1);
      if (next >= 0) expect(event.index).toBeLessThan(next);
    }
    // What the publisher put on the bus is exactly what was written, each once.
    expect(published.map((e) => e.id).sort()).toEqual(outbox.map((e) => e.id).sort());
    for (const e of outbox) expect(text).toContain(`${e.type} (v${e.aggregate.version}, ${e.id})`);
  });

  test("a subscription charged twice: subscription.created then subscription.charged per cycle, in order, once each, as written", async () => {
    const t = ctx();
    const { id } = await subscribed(t);
    await dispatchAt(t, 32 * DAY);
    expect((await view(t, id)).paid_cycles).toBe(2);

    const outbox = await written(t, `SUB#${id}`);
    const published = await publishedFor(t, id);
    const { events, transition, text } = await timeline(t, id);

    expect(outbox.map((e) => e.type)).toEqual([
      "subscription.created",
      "subscription.charged",
      "subscription.charged",
    ]);
    expect(outbox.slice(1).map((e) => (e.data.charge as { cycle: number }).cycle)).toEqual([1, 2]);
    expect(events.map(({ type, version, id: eventId, at }) => ({ type, version, id: eventId, at }))).toEqual(
      outbox.map((e) => ({ type: e.type, version: e.aggregate.version, id: e.id, at: e.time })),
    );
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    for (const event of events) {
      expect(event.index).toBeGreaterThan(transition(event.version));
      const next = transition(event.version + 1);
      if (next >= 0) expect(event.index).toBeLessThan(next);
    }
    expect(published.map((e) => e.id).sort()).toEqual(outbox.map((e) => e.id).sort());
    for (const e of outbox) expect(text).toContain(`${e.type} (v${e.aggregate.version}, ${e.id})`);
  });
});
