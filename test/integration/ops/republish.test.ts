/**
 * `ops republish-events` against the real local parts: outbox items the real
 * changes wrote (DynamoDB Local), put again through the publisher's code on
 * the local stack's in-memory bus (`GET /__local/events`), where a consumer
 * that dedupes sees the same ids delivered once more. The table is never
 * written.
 */
import { describe, expect, test } from "vitest";
import type { TestStack } from "../../support/stack.js";
import { useStack } from "../../support/stack.js";
import { tableItems } from "../billing/support.js";
import { outboxItems } from "../events/support.js";
import { order, paidOrder, refund } from "../orders/refunds/support.js";
import { ops } from "./support.js";

const ctx = useStack();

type Envelope = { id: string; type: string; time: string; aggregate: { id: string; version: number } };
type Row = {
  id: string;
  type: string;
  aggregate: { type: string; id: string; version: number };
  time: string;
  result: string;
  error?: string;
};

/** The partition's events as written, oldest change first. */
async function written(t: TestStack, merchantUid: string): Promise<Envelope[]> {
  return (await outboxItems(t, `ORDER#${merchantUid}`))
    .map((item) => item.event as Envelope)
    .sort((a, b) => a.aggregate.version - b.aggregate.version || a.type.localeCompare(b.type));
}

/** How often the bus delivered each event id, once the stream is drained. */
async function deliveries(t: TestStack, aggregate?: string): Promise<Record<string, number>> {
  await t.stack.stream.drain();
  return Object.fromEntries(t.stack.events.events(aggregate).map((e) => [e.id, e.deliveries]));
}

/** The table, in a comparable order. */
async function snapshot(t: TestStack) {
  const items = await tableItems(t);
  return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

const latest = (events: Envelope[]) =>
  events
    .map((e) => e.time)
    .sort()
    .at(-1) as string;
const earliest = (events: Envelope[]) => events.map((e) => e.time).sort()[0] as string;

describe("republish-events", () => {
  test("an order paid, then refunded: exactly its events again, in order, each with its original id; the table untouched", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t, { amount: 12_000 });
    expect((await refund(t, merchantUid, { reason: "반품" })).status).toBe(201);
    expect((await order(t, merchantUid)).status).toBe("refunded");
    const outbox = await written(t, merchantUid);
    expect(outbox.map((e) => e.type)).toEqual(["order.paid", "order.refunded"]);
    const before = await deliveries(t, merchantUid);
    expect(before).toEqual(Object.fromEntries(outbox.map((e) => [e.id, 1])));
    const table = await snapshot(t);

    const run = await ops(t, ["republish-events", merchantUid, "--json"]);

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const doc = JSON.parse(run.stdout);
    expect(doc.events.map((r: Row) => [r.id, r.type, r.aggregate.id, r.aggregate.version, r.time])).toEqual(
      outbox.map((e) => [e.id, e.type, merchantUid, e.aggregate.version, e.time]),
    );
    expect(doc.events.every((r: Row) => r.result === "put")).toBe(true);
    expect(doc).toMatchObject({ bus: "local", source: "kicc-iamport.local", put: 2, refused: 0 });
    // The same ids once more on the bus: a consumer that dedupes sees nothing new.
    expect(await deliveries(t, merchantUid)).toEqual(Object.fromEntries(outbox.map((e) => [e.id, 2])));
    expect(await snapshot(t)).toEqual(table);

    // --since: from the refund's time on, only its event; the table form names each with its result.
    const refunded = outbox[1] as Envelope;
    const since = await ops(t, ["republish-events", merchantUid, "--since", refunded.time]);
    expect(since.code, since.stderr).toBe(0);
    expect(since.stdout).toContain(
      `order ${merchantUid} since ${refunded.time}: 1 of 1 events put on bus local`,
    );
    expect(since.stdout).toMatch(
      new RegExp(
        `${refunded.id}\\s+order\\.refunded\\s+order ${merchantUid} v${refunded.aggregate.version}\\s+.+ KST\\s+put`,
      ),
    );
    expect(since.stdout).not.toContain((outbox[0] as Envelope).id);
    expect(await deliveries(t, merchantUid)).toEqual({ [(outbox[0] as Envelope).id]: 2, [refunded.id]: 3 });
    expect(await snapshot(t)).toEqual(table);
  });

  test("--from/--to: the events of two orders within the window, across the table, and none of one before or after", async () => {
    const t = ctx();
    const before = await paidOrder(t);
    const outside = await written(t, before.merchantUid);
    const first = await paidOrder(t);
    const second = await paidOrder(t);
    expect((await refund(t, second.merchantUid, { amount: 2_000, reason: "부분" })).status).toBe(201);
    const inside = [...(await written(t, first.merchantUid)), ...(await written(t, second.merchantUid))];
    const after = await paidOrder(t);
    const later = await written(t, after.merchantUid);
    const from = earliest(inside);
    const to = latest(inside);
    expect(latest(outside) < from && to < earliest(later)).toBe(true);
    const counts = await deliveries(t);

    const run = await ops(t, ["republish-events", "--from", from, "--to", to, "--json"]);

    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout);
    const rows: Row[] = doc.events;
    expect(rows.map((r) => r.id).sort()).toEqual(inside.map((e) => e.id).sort());
    expect(new Set(rows.map((r) => r.aggregate.id))).toEqual(
      new Set([first.merchantUid, second.merchantUid]),
    );
    // In time order, each aggregate's by version; all put, nothing cut short.
    expect(rows.map((r) => r.time)).toEqual(rows.map((r) => r.time).sort());
    expect(rows.every((r) => r.result === "put")).toBe(true);
    expect(doc).toMatchObject({ truncated: false, refused: 0, scope: { from, to, scanLimit: 10_000 } });
    const now = await deliveries(t);
    for (const e of inside) expect(now[e.id]).toBe((counts[e.id] ?? 0) + 1);
    for (const e of [...outside, ...later]) expect(now[e.id]).toBe(counts[e.id]);
  });

  test("--scan-limit cuts the Scan short and the output says so", async () => {
    const t = ctx();
    await paidOrder(t);
    const window = ["--from", "2000-01-01T00:00:00Z", "--to", "2100-01-01T00:00:00Z"];

    const text = await ops(t, ["republish-events", ...window, "--scan-limit", "1"]);
    const json = await ops(t, ["republish-events", ...window, "--scan-limit", "1", "--json"]);

    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(
      "(the Scan stopped after 1 items (--scan-limit): the table has more, not republished)",
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ truncated: true, scope: { scanLimit: 1 } });
    expect(JSON.parse(json.stdout).events.length).toBeLessThanOrEqual(1);
  });

  test("an entry the bus refuses: reported with the bus's error code, the others put, exit 1 naming it", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    expect((await refund(t, merchantUid, { amount: 1_000, reason: "부분" })).status).toBe(201);
    const outbox = await written(t, merchantUid);
    const counts = await deliveries(t, merchantUid);
    const refusedId = (outbox[1] as Envelope).id;
    t.stack.events.refuseEntries((event) => event.id === refusedId);
    let run: Awaited<ReturnType<typeof ops>>;
    try {
      run = await ops(t, ["republish-events", merchantUid]);
    } finally {
      t.stack.events.refuseEntries(null);
    }

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`order ${merchantUid}: 1 of 2 events put`);
    expect(run.stdout).toMatch(
      new RegExp(`${refusedId}\\s+order\\.partially_refunded\\s.*refused: InternalFailure`),
    );
    expect(run.stdout).toMatch(new RegExp(`${(outbox[0] as Envelope).id}\\s+order\\.paid\\s.*\\sput\\n`));
    expect(run.stderr).toBe(
      `ops: 1 of 2 events not put: ${refusedId} (InternalFailure); run it again (consumers dedupe by id)\n`,
    );
    const now = await deliveries(t, merchantUid);
    expect(now[(outbox[0] as Envelope).id]).toBe((counts[(outbox[0] as Envelope).id] ?? 0) + 1);
    expect(now[refusedId]).toBe(counts[refusedId]);
  });

  test("bad input exits 2 with one line, and nothing is read onto the bus or written", async () => {
    const t = ctx();
    const { merchantUid } = await paidOrder(t);
    await deliveries(t);
    const table = await snapshot(t);
    const puts = t.stack.events.puts;
    const cases: Array<[string[], RegExp]> = [
      [[], /missing <merchant_uid \| subscription id>, or --from/],
      [[merchantUid, "--from", "2026-12-01T03:00:00Z", "--to", "2026-12-01T04:00:00Z"], /not both/],
      [["--from", "yesterday", "--to", "2026-12-01T04:00:00Z"], /--from must be an ISO 8601 time/],
      [[merchantUid, "--since", "2026-12-01 03:00"], /--since must be an ISO 8601 time/],
      [["--from", "2026-12-01T05:00:00Z", "--to", "2026-12-01T04:00:00Z"], /is after --to/],
      [["--from", "2026-12-01T05:00:00Z"], /--from and --to go together/],
      [[merchantUid, "--scan-limit", "5"], /--scan-limit goes with/],
      [["no-such-order-0001"], /no order no-such-order-0001 in DynamoDB at/],
    ];
    for (const [argv, message] of cases) {
      const run = await ops(t, ["republish-events", ...argv]);
      expect(run.code, `${argv.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(/^ops: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
    }
    expect(t.stack.events.puts).toBe(puts);
    expect(await snapshot(t)).toEqual(table);
  });
});
