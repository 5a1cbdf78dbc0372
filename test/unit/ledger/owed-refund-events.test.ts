import { describe, expect, test } from "vitest";
import type { DomainEvent } from "../../../lib/events/domain-event.js";
import { eventSchemas } from "../../../lib/events/event-schemas.js";
import {
  afterFailedCancel,
  decideOwedRefundStep,
  leaseForCancel,
  newOwedRefund,
  type OwedRefund,
} from "../../../lib/ledger/owed-refund.js";
import { owedRefundEvents } from "../../../lib/ledger/owed-refund-events.js";

const now = new Date("2026-12-01T03:00:00.000Z");
const later = new Date("2026-12-01T04:00:00.000Z");
const decided = newOwedRefund(
  {
    impUid: "imp_2",
    merchantUid: "m-1",
    owner: { kind: "order", merchantUid: "m-1" },
    reason: "second_payment",
    alert: "second_payment_refunded",
    detail: "a second payment for m-1",
    payment: { amount: 12_000, cancel_amount: 0, pay_method: "vbank" },
  },
  now,
);
const held = { status: "paid" as const, amount: 12_000, cancel_amount: 0, pay_method: "vbank" };
const cancelled = {
  status: "cancelled" as const,
  amount: 12_000,
  cancel_amount: 12_000,
  pay_method: "vbank",
};

/** The events of `before` → `after`, each checked against its type's schema. */
function events(before: OwedRefund | null, after: OwedRefund): DomainEvent[] {
  const out = owedRefundEvents(before, after);
  for (const e of out) expect(eventSchemas[e.type].safeParse(e.data).success, e.type).toBe(true);
  return out;
}
const types = (out: DomainEvent[]) => out.map((e) => e.type);
const next = (step: ReturnType<typeof decideOwedRefundStep>) => {
  if (step.kind === "cancel") throw new Error("expected a state change");
  return step.next;
};

describe("refund owed events", () => {
  test("decided: one event on the refund's own aggregate, version 1, with the owner and amount", () => {
    const out = events(null, decided);
    expect(types(out)).toEqual(["refund_owed.decided"]);
    expect(out[0]).toMatchObject({
      aggregate: { type: "refund_owed", id: "imp_2", version: 1 },
      time: now.toISOString(),
      data: { imp_uid: "imp_2", owner: { type: "order", id: "m-1" }, amount: 12_000, state: "pending" },
    });
  });

  test("a deposited virtual account waits for the account once, then is refunded once", () => {
    const waiting = next(decideOwedRefundStep(decided, held, { hasAccount: false, now }));
    const first = events(decided, waiting);
    expect(types(first)).toEqual(["refund_owed.needs_account"]);
    expect(first[0]?.data).toMatchObject({ missing: ["refund_holder", "refund_bank", "refund_account"] });
    // The daily re-read that finds it still waiting writes a new version and publishes nothing.
    const recheck = next(decideOwedRefundStep(waiting, held, { hasAccount: false, now: later }));
    expect(recheck.state).toBe("needs_account");
    expect(events(waiting, recheck)).toEqual([]);
    const leased = leaseForCancel(waiting, later);
    expect(events(waiting, leased)).toEqual([]);
    const done = next(decideOwedRefundStep(leased, cancelled, { hasAccount: true, now: later }));
    const last = events(leased, done);
    expect(types(last)).toEqual(["refund_owed.refunded"]);
    expect(last[0]).toMatchObject({
      aggregate: { version: done.version },
      data: { refunded_amount: 12_000, state: "done", tries: 1 },
    });
    // Written again (a replayed write of the same change): the same id.
    expect(events(leased, done)[0]?.id).toBe(last[0]?.id);
  });

  test("iamport refusing publishes needs_person once; a failure that retries publishes nothing", () => {
    const leased = leaseForCancel(decided, now);
    expect(events(leased, afterFailedCancel(leased, { refused: false, error: "timeout" }, now))).toEqual([]);
    const refused = afterFailedCancel(leased, { refused: true, error: "no" }, now);
    expect(types(events(leased, refused))).toEqual(["refund_owed.needs_person"]);
    const again = afterFailedCancel(leaseForCancel(refused, later), { refused: true, error: "no" }, later);
    expect(events(leaseForCancel(refused, later), again)).toEqual([]);
  });

  test("a charge's refund names its subscription, cycle and attempt; distinct versions give distinct ids", () => {
    const charge = {
      ...decided,
      owner: { kind: "charge" as const, subscriptionId: "sub_1", cycle: 2, attempt: 1 },
    };
    const [e] = events(null, charge);
    expect(e?.data).toMatchObject({ owner: { type: "subscription", id: "sub_1", cycle: 2, attempt: 1 } });
    const done = next(decideOwedRefundStep(charge, cancelled, { hasAccount: false, now }));
    expect(events(charge, done)[0]?.id).not.toBe(e?.id);
  });
});
