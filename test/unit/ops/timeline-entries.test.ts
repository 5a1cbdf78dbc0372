/** The timeline's lines from stored items (pure): with and without the domain events' outbox items. */
import { describe, expect, test } from "vitest";
import type { StoredItem } from "../../../lib/store/ops-reads.js";
import { formatTable, kst } from "../../../ops/output.js";
import { entriesOf } from "../../../ops/timeline-entries.js";

const order: StoredItem = {
  sk: "ORDER",
  type: "order",
  record: {
    merchantUid: "m-1",
    status: "paid",
    amount: 10_000,
    refunds: [],
    createdAt: "2026-12-01T15:00:00.000Z",
  },
};
const created: StoredItem = {
  sk: "EVENT#00000001",
  type: "order_event",
  record: {
    version: 1,
    at: "2026-12-01T15:00:00.000Z",
    from: null,
    to: "pending",
    source: "api",
    reason: "order created",
  },
};
const paid: StoredItem = {
  sk: "EVENT#00000002",
  type: "order_event",
  record: {
    version: 2,
    at: "2026-12-01T15:00:05.000Z",
    from: "pending",
    to: "paid",
    source: "webhook",
    reason: "paid",
  },
};
// Stored in the same instant as the transition it caused: listed before it.
const note: StoredItem = {
  sk: "NOTE#webhook#imp_1#paid",
  type: "notification",
  record: {
    source: "webhook",
    impUid: "imp_1",
    status: "paid",
    receivedAt: "2026-12-01T15:00:05.000Z",
    body: {},
  },
};
const outbox: StoredItem = {
  sk: "OUTBOX#evt_1",
  type: "outbox",
  record: {
    event: {
      id: "evt_1",
      type: "order.paid",
      time: "2026-12-01T15:00:05.000Z",
      aggregate: { type: "order", id: "m-1", version: 2 },
    },
  },
};
const counter: StoredItem = { sk: "NOTES", type: "note_count", record: { count: 1 } };

describe("timeline entries", () => {
  test("without outbox items: history and notes in time order, the notification before the change it caused", () => {
    const entries = entriesOf([paid, counter, order, note, created]);

    expect(entries.map((e) => `${e.kind}|${e.by}`)).toEqual([
      "transition|merchant API",
      "notification|webhook",
      "transition|webhook",
    ]);
  });

  test("with outbox items: each event after the transition of its version", () => {
    const entries = entriesOf([outbox, paid, note, created, order]);

    expect(entries.map((e) => e.kind)).toEqual(["transition", "notification", "transition", "event"]);
    expect(entries[3]).toMatchObject({ what: "order.paid (v2, evt_1)", by: "domain event" });
  });

  test("KST is UTC+9: 15:00 UTC on Dec 1 is midnight on Dec 2 in Seoul", () => {
    expect(kst("2026-12-01T15:00:00.000Z")).toBe("2026-12-02 00:00:00 KST");
    expect(kst("2026-12-31T14:59:59.999Z")).toBe("2026-12-31 23:59:59 KST");
    expect(kst(undefined)).toBe("-");
  });

  test("a table's columns are as wide as their widest cell", () => {
    expect(
      formatTable(
        ["A", "B"],
        [
          ["long cell", "x"],
          ["y", "z"],
        ],
      ),
    ).toBe("A          B\nlong cell  x\ny          z\n");
  });
});
