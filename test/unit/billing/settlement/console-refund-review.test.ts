/**
 * Review of the console-refund rules (pure): a cancel above the charge is clamped and recorded once; only a
 * kept paid attempt's own payment is ever a console refund; a full (or over-) refund leaves the audit;
 * the event's amounts and that a refund change publishes nothing else.
 */
import { describe, expect, test } from "vitest";
import type { ChargeAttempt } from "../../../../lib/billing/charge-attempt.js";
import { newClaim, settleAttempt } from "../../../../lib/billing/rules/charge-attempt-machine.js";
import { keptAuditAgainAt, nextKeptAudit } from "../../../../lib/billing/rules/kept-audit.js";
import { subscriptionEvents } from "../../../../lib/billing/rules/subscription-events.js";
import {
  cancelNotRecorded,
  decideChargePayment,
} from "../../../../lib/billing/settlement/decide-settlement.js";
import { historyEvent } from "../../../../lib/billing/subscription.js";
import type { Payment } from "../../../../lib/iamport/schemas.js";
import { ID, keptAttempt, keptPayment, subscription } from "../fixtures.js";

const DAY = 24 * 60 * 60_000;
const now = new Date("2026-02-28T01:00:00.000Z");
const verify = { mode: "test" as const };

/** Attempt 1 of cycle 2, claimed and not yet answered. */
const claim = () =>
  newClaim(
    {
      subscriptionId: ID,
      cycle: 2,
      attempt: 1,
      merchantUid: `${ID}_2_1`,
      customerUid: "cu_card_1",
      amount: 9_900,
      name: "Pro",
    },
    now,
    120_000,
  );
const kept = (patch: Partial<ChargeAttempt> = {}) => keptAttempt(patch, { at: now });
const record = (patch: Partial<Payment>) => keptPayment({ pg_provider: "kicc", ...patch });

describe("cancelNotRecorded", () => {
  test("a cancel_amount above the charge is news once, clamped to the charge", () => {
    expect(cancelNotRecorded(kept(), record({ cancel_amount: 12_000, status: "cancelled" }))).toBe(true);
    const full = kept({ cancelled: { amount: 9_900, at: now.toISOString() } });
    expect(cancelNotRecorded(full, record({ cancel_amount: 12_000, status: "cancelled" }))).toBe(false);
    expect(
      decideChargePayment(full, record({ cancel_amount: 12_000, status: "cancelled" }), verify).kind,
    ).toBe("keep");
  });

  test("a stale read (less cancelled than recorded) is never news", () => {
    const partly = kept({ cancelled: { amount: 3_000, at: now.toISOString() } });
    expect(cancelNotRecorded(partly, record({ cancel_amount: 1_000 }))).toBe(false);
    expect(cancelNotRecorded(partly, record({ cancel_amount: 0 }))).toBe(false);
  });

  test("attempts that keep nothing (declined with our late refund, rejected, open) never record a cancel", () => {
    const declined = settleAttempt(
      claim(),
      { kind: "declined", severity: "soft", reason: "잔액 부족", impUid: "imp_kept" },
      "response",
      now,
    );
    const lateRefunded: ChargeAttempt = {
      ...declined,
      lateRefund: { impUid: "imp_kept", amount: 9_900, at: now.toISOString() },
    };
    const rejected = settleAttempt(
      claim(),
      { kind: "rejected", reason: "amount_mismatch", impUid: "imp_kept", refundable: 9_900 },
      "response",
      now,
    );
    const cancelled = record({ cancel_amount: 9_900, status: "cancelled" });
    for (const attempt of [declined, lateRefunded, rejected, claim()])
      expect(cancelNotRecorded(attempt, cancelled)).toBe(false);
    expect(decideChargePayment(lateRefunded, cancelled, verify).kind).not.toBe("record_cancel");
  });

  test("a second payment holding money beside a kept one partly refunded is refunded, not recorded", () => {
    const partly = kept({ cancelled: { amount: 1_000, at: now.toISOString() } });
    expect(decideChargePayment(partly, record({ imp_uid: "imp_second" }), verify).kind).toBe("refund_second");
  });
});

describe("the kept-charge audit's schedule", () => {
  test("refunded in full, or more than the charge: off the audit", () => {
    expect(nextKeptAudit(kept({ cancelled: { amount: 9_900, at: now.toISOString() } }))).toBeUndefined();
    expect(nextKeptAudit(kept({ cancelled: { amount: 12_000, at: now.toISOString() } }))).toBeUndefined();
  });

  test("partly refunded: read again a day after the record", () => {
    const updatedAt = new Date(now.getTime() + 5 * DAY).toISOString();
    expect(nextKeptAudit(kept({ cancelled: { amount: 1_000, at: updatedAt }, updatedAt }))).toBe(
      new Date(Date.parse(updatedAt) + DAY).toISOString(),
    );
  });

  test("an old charge's weekly audit past the horizon leaves the index", () => {
    const paidAt = now.toISOString();
    const attempt = kept({ paidAt });
    const again = keptAuditAgainAt(attempt, new Date(now.getTime() + 398 * DAY));
    expect(again).toBe(new Date(now.getTime() + 405 * DAY).toISOString());
    expect(nextKeptAudit({ ...attempt, auditAfter: again })).toBeUndefined();
  });
});

describe("the refund change's events", () => {
  test("only subscription.charge_refunded; the remaining amount never below zero", () => {
    const current = subscription({ attempt: 1 }, 3);
    const next = { ...current, version: current.version + 1 };
    const event = {
      ...historyEvent(current, next, "webhook", "cycle 2's charge refunded at iamport", {
        cycle: 2,
        attempt: 1,
      }),
      chargeCancel: {
        merchantUid: `${ID}_2_1`,
        impUid: "imp_kept",
        charged: 9_900,
        amount: 9_900,
        cancelled: 9_900,
      },
    };
    const events = subscriptionEvents(current, next, event, { chargeAmount: 9_900 });
    expect(events.map((e) => e.type)).toEqual(["subscription.charge_refunded"]);
    expect(events[0]?.data).toMatchObject({
      charge: { cycle: 2, attempt: 1, imp_uid: "imp_kept", amount: 9_900 },
      refund_amount: 9_900,
      refunded_amount: 9_900,
      remaining_amount: 0,
    });
  });
});
