/**
 * The sweep's cursor through one pass: the paid listing by keyset on `paid_at`, then the cancelled
 * listing page by page; only the end of the cancelled listing completes the pass.
 */
import { expect, test } from "vitest";
import type { PaymentPage } from "../../../lib/iamport/schemas.js";
import type { LedgerCursor } from "../../../lib/ledger/ports.js";
import { nextCursor } from "../../../lib/ledger/sweep-ledger.js";

const now = new Date("2026-12-02T00:00:00.000Z");
const start: LedgerCursor = {
  version: 3,
  passFrom: 1_000,
  passTo: 9_000,
  phase: "paid",
  position: 1_000,
  seenAtPosition: [],
  page: 1,
  complete: false,
  passesCompleted: 7,
  updatedAt: now.toISOString(),
};
const page = (paidAt: number[], next: number): PaymentPage =>
  ({
    total: paidAt.length,
    previous: 0,
    next,
    list: paidAt.map((paid_at, i) => ({ imp_uid: `imp_${paid_at}_${i}`, paid_at })),
  }) as unknown as PaymentPage;

test("a paid page with more after it moves the keyset; the pass goes on", () => {
  const next = nextCursor(start, page([1_500, 2_000], 2), now);
  expect(next).toMatchObject({ phase: "paid", position: 2_000, page: 1, complete: false, version: 4 });
});

test("the paid listing's end starts the cancelled listing at its first page, the pass not complete", () => {
  const atEnd = { ...start, position: 5_000, page: 3 };
  const next = nextCursor(atEnd, page([5_000], 0), now);
  expect(next).toMatchObject({
    phase: "cancelled",
    page: 1,
    complete: false,
    passesCompleted: 7,
    version: 4,
  });
});

test("a cursor saved before the cancelled listing existed (no phase) reads as the paid listing", () => {
  const { phase: _, ...old } = start;
  expect(nextCursor(old, page([], 0), now)).toMatchObject({ phase: "cancelled", page: 1, complete: false });
});

test("the cancelled listing pages on, and its end completes the pass", () => {
  const cancelled = { ...start, phase: "cancelled" as const, page: 1 };
  const second = nextCursor(cancelled, page([0, 0], 2), now);
  expect(second).toMatchObject({ phase: "cancelled", page: 2, complete: false, passesCompleted: 7 });
  const done = nextCursor(second, page([0], 0), now);
  expect(done).toMatchObject({ phase: "cancelled", complete: true, passesCompleted: 8, version: 5 });
  expect(nextCursor(second, page([], 3), now)).toMatchObject({ complete: true, passesCompleted: 8 });
});
