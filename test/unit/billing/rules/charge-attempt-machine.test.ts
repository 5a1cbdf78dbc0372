import { describe, expect, test } from "vitest";
import type { ChargeAttempt } from "../../../../lib/billing/charge-attempt.js";
import {
  claimLapsed,
  cycleOutcomeOf,
  isTerminal,
  markLookedUp,
  markResent,
  markUnknown,
  newClaim,
  outcomeFromPayment,
  settleAttempt,
} from "../../../../lib/billing/rules/charge-attempt-machine.js";
import type { PaymentFacts } from "../../../../lib/orders/rules/payment-facts.js";
import { ID } from "../fixtures.js";

const now = new Date("2026-02-28T01:00:00.000Z");
const later = (ms: number) => new Date(now.getTime() + ms);
const LEASE = 120_000;

function claim(): ChargeAttempt {
  return newClaim(
    {
      subscriptionId: ID,
      cycle: 2,
      attempt: 1,
      merchantUid: `${ID}_2_1`,
      customerUid: "cu_1",
      amount: 9_900,
      name: "Pro",
    },
    now,
    LEASE,
  );
}
function payment(patch: Partial<PaymentFacts & { customer_uid: string }> = {}) {
  return {
    imp_uid: "imp_1",
    merchant_uid: `${ID}_2_1`,
    amount: 9_900,
    cancel_amount: 0,
    currency: "KRW",
    status: "paid",
    sandbox: false,
    pg_provider: "kicc",
    pg_id: "BILLMID",
    paid_at: 1_772_240_400,
    customer_uid: "cu_1",
    ...patch,
  };
}
const live = { mode: "live" as const, billingMid: "BILLMID" };

describe("claimed → unknown → resent → settled", () => {
  test("a claim is sent once, leased to its worker, and open", () => {
    const a = claim();

    expect(a).toMatchObject({
      status: "claimed",
      sends: 1,
      version: 1,
      lookups: 0,
      checkAfter: later(LEASE).toISOString(),
    });
    expect(isTerminal(a)).toBe(false);
    expect(claimLapsed(a, later(LEASE - 1))).toBe(false);
    expect(claimLapsed(a, later(LEASE))).toBe(true);
  });

  test("the claim's lease is its own: the dispatcher moving the index entry does not extend it", () => {
    const queued = { ...claim(), checkAfter: later(15 * 60_000).toISOString() };

    expect(claimLapsed(queued, later(LEASE))).toBe(true);
  });

  test("unknown keeps when it first became unknown; lookups count; a re-send is claimed again with the same merchant_uid", () => {
    const unknown = markUnknown(claim(), "timeout", later(1000), 300_000);
    const again = markUnknown(unknown, "timeout", later(9000), 300_000);
    const looked = markLookedUp(again, later(10_000), 60_000);
    const resent = markResent(looked, later(130_000), LEASE);

    expect(unknown).toMatchObject({ status: "unknown", unknownSince: later(1000).toISOString(), version: 2 });
    expect(again.unknownSince).toBe(later(1000).toISOString());
    expect(looked).toMatchObject({ lookups: 1, checkAfter: later(70_000).toISOString() });
    expect(resent).toMatchObject({
      status: "claimed",
      sends: 2,
      lookups: 2,
      merchantUid: `${ID}_2_1`,
      lastSentAt: later(130_000).toISOString(),
    });
  });

  test.each([
    [
      { kind: "paid" as const, impUid: "imp_9" },
      { status: "paid", impUid: "imp_9" },
    ],
    [
      { kind: "declined" as const, severity: "hard" as const, reason: "[8310] 분실신고 카드" },
      { status: "declined", severity: "hard" },
    ],
    [
      { kind: "error" as const, reason: "bad", code: 1 },
      { status: "error", errorCode: 1 },
    ],
    [
      { kind: "rejected" as const, reason: "amount_mismatch", refund: "done" as const },
      { status: "rejected", refund: "done" },
    ],
  ])("settled as %o: terminal and out of the resolver's index", (outcome, expected) => {
    const settled = settleAttempt(markUnknown(claim(), "t", now, 1), outcome, "lookup", later(5000));

    expect(settled).toMatchObject({ ...expected, resolvedBy: "lookup", version: 3 });
    expect(settled.checkAfter).toBeUndefined();
    expect(isTerminal(settled)).toBe(true);
    expect(cycleOutcomeOf(settled)).toMatchObject({ kind: outcome.kind, cycle: 2, attempt: 1 });
  });

  test("an open attempt has no cycle outcome", () => {
    expect(cycleOutcomeOf(claim())).toBeNull();
  });
});

describe("reading iamport's record (invariant 1)", () => {
  test("paid with our merchant_uid, amount, KICC billing MID and a real channel → paid", () => {
    expect(outcomeFromPayment(claim(), payment(), live)).toEqual({
      kind: "paid",
      impUid: "imp_1",
      paidAt: "2026-02-28T01:00:00.000Z",
    });
  });

  test.each([
    ["amount_mismatch", { amount: 100 }, 100],
    ["test_channel_in_live_mode", { sandbox: true }, 9_900],
    ["unknown_mid", { pg_id: "OTHER" }, 9_900],
    ["not_kicc", { pg_provider: "nice" }, 9_900],
    ["customer_uid_mismatch", { customer_uid: "cu_other" }, 9_900],
  ])("paid but %s → rejected, with what iamport still holds to refund", (reason, patch, refundable) => {
    expect(outcomeFromPayment(claim(), payment(patch), live)).toMatchObject({
      kind: "rejected",
      reason,
      refundable,
    });
  });

  test("a test-channel payment is fine in test mode", () => {
    expect(outcomeFromPayment(claim(), payment({ sandbox: true }), { mode: "test" })?.kind).toBe("paid");
  });

  test("failed → declined, soft or hard by its reason", () => {
    expect(
      outcomeFromPayment(claim(), payment({ status: "failed", fail_reason: "[8326] 잔액부족" }), live),
    ).toMatchObject({
      kind: "declined",
      severity: "soft",
    });
    expect(
      outcomeFromPayment(
        claim(),
        payment({ status: "failed", fail_reason: "[8316] 유효기간 경과 카드" }),
        live,
      ),
    ).toMatchObject({
      kind: "declined",
      severity: "hard",
    });
  });

  test("cancelled at iamport (refunded by hand) → rejected: never charged again blindly", () => {
    expect(outcomeFromPayment(claim(), payment({ status: "cancelled" }), live)).toMatchObject({
      kind: "rejected",
      reason: "cancelled_at_iamport",
    });
  });

  test("partly refunded by hand: the same outcome whether iamport then reads paid or cancelled (undocumented)", () => {
    const stays = outcomeFromPayment(claim(), payment({ status: "paid", cancel_amount: 1_000 }), live);
    const reads = outcomeFromPayment(claim(), payment({ status: "cancelled", cancel_amount: 1_000 }), live);

    expect(stays).toMatchObject({ kind: "paid", impUid: "imp_1" });
    expect(reads).toEqual(stays);
    expect(
      outcomeFromPayment(claim(), payment({ status: "cancelled", cancel_amount: 9_900 }), live),
    ).toMatchObject({ kind: "rejected", reason: "cancelled_at_iamport" });
  });

  test("nothing conclusive: ready, or another merchant_uid's failure", () => {
    expect(outcomeFromPayment(claim(), payment({ status: "ready" }), live)).toBeNull();
    expect(
      outcomeFromPayment(claim(), payment({ status: "failed", merchant_uid: "other" }), live),
    ).toBeNull();
  });
});
