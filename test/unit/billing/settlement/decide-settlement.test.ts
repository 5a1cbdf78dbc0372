import { describe, expect, test } from "vitest";
import type { AttemptOutcome, ChargeAttempt } from "../../../../lib/billing/charge-attempt.js";
import { newClaim, settleAttempt } from "../../../../lib/billing/rules/charge-attempt-machine.js";
import {
  decideChargePayment,
  decideLatePayment,
  earlierAttemptsToCheck,
  whySurplusPayment,
} from "../../../../lib/billing/settlement/decide-settlement.js";
import type { Payment } from "../../../../lib/iamport/schemas.js";
import { ID, keptAttempt, keptPayment, subscription } from "../fixtures.js";

const now = new Date("2026-02-28T01:00:00.000Z");

/** Attempt `n` of cycle 2, settled as `error` (iamport answered with a non-zero code). */
function erred(n = 1): ChargeAttempt {
  const claim = newClaim(
    {
      subscriptionId: ID,
      cycle: 2,
      attempt: n,
      merchantUid: `${ID}_2_${n}`,
      customerUid: "cu_card_1",
      amount: 9_900,
      name: "Pro",
    },
    now,
    120_000,
  );
  return settleAttempt(claim, { kind: "error", reason: "PG communication error", code: 1 }, "response", now);
}
const paid: AttemptOutcome = { kind: "paid", impUid: "imp_late" };
/** Cycle 2 retried after attempt 1's refusal: the subscription waits on attempt 2. */
const waiting = () => subscription({ attempt: 2, status: "active" }, 2);

describe("a payment found for an attempt settled as not paid", () => {
  test("the cycle still waits and nothing else is in flight: it becomes the cycle's payment", () => {
    expect(
      decideLatePayment({ sub: waiting(), attempt: erred(), outcome: paid, otherAttemptOpen: false }),
    ).toEqual({ kind: "apply" });
  });

  test("a past_due cycle (declines, then a late payment of an earlier attempt) takes it too", () => {
    const sub = subscription({ attempt: 3, status: "past_due" }, 2);

    expect(decideLatePayment({ sub, attempt: erred(2), outcome: paid, otherAttemptOpen: false }).kind).toBe(
      "apply",
    );
  });

  test("the cycle was already paid by another attempt: a double charge, refunded", () => {
    const sub = subscription({ attempt: 1 }, 3);

    expect(decideLatePayment({ sub, attempt: erred(), outcome: paid, otherAttemptOpen: false })).toEqual({
      kind: "refund",
      alert: "double_charge_refunded",
      why: expect.stringMatching(/cycle 2 is already settled/),
    });
  });

  test("a cycle skipped by pause and resume is settled too: refunded", () => {
    const sub = subscription({ attempt: 1, skippedCycles: 1 }, 3);

    expect(decideLatePayment({ sub, attempt: erred(), outcome: paid, otherAttemptOpen: false }).kind).toBe(
      "refund",
    );
  });

  test("a canceled subscription will not serve the cycle: refunded", () => {
    const sub = subscription({ attempt: 2, status: "canceled" }, 2);

    expect(decideLatePayment({ sub, attempt: erred(), outcome: paid, otherAttemptOpen: false })).toEqual({
      kind: "refund",
      alert: "double_charge_refunded",
      why: "the subscription is canceled",
    });
  });

  test.each(["paused", "unpaid"] as const)(
    "a %s subscription still owes the cycle (a pause or ended dunning never forgives it): applied",
    (status) => {
      const sub = subscription({ attempt: 2, status }, 2);

      expect(decideLatePayment({ sub, attempt: erred(), outcome: paid, otherAttemptOpen: false }).kind).toBe(
        "apply",
      );
    },
  );

  test("another attempt of the cycle is in flight (it may be charged too): refunded, never applied", () => {
    expect(
      decideLatePayment({ sub: waiting(), attempt: erred(), outcome: paid, otherAttemptOpen: true }).kind,
    ).toBe("refund");
  });

  test("the subscription is gone: refunded", () => {
    expect(
      decideLatePayment({ sub: null, attempt: erred(), outcome: paid, otherAttemptOpen: false }).kind,
    ).toBe("refund");
  });

  test("a paid record that fails verification is refunded under its own alert, never applied", () => {
    const outcome: AttemptOutcome = {
      kind: "rejected",
      reason: "amount_mismatch",
      impUid: "imp_late",
      refundable: 9_000,
    };

    expect(decideLatePayment({ sub: waiting(), attempt: erred(), outcome, otherAttemptOpen: false })).toEqual(
      { kind: "refund", alert: "amount_mismatch", why: "amount_mismatch" },
    );
  });

  test("no payment (a failure, a cancelled record, nothing conclusive) or an attempt already paid: nothing to do", () => {
    const declined: AttemptOutcome = { kind: "declined", severity: "soft", reason: "limit" };
    const cancelled: AttemptOutcome = { kind: "rejected", reason: "cancelled_at_iamport", refundable: 0 };
    const paidAttempt = settleAttempt(erred(), paid, "lookup", now);

    for (const [attempt, outcome] of [
      [erred(), null],
      [erred(), declined],
      [erred(), cancelled],
      [paidAttempt, paid],
    ] as const) {
      expect(decideLatePayment({ sub: waiting(), attempt, outcome, otherAttemptOpen: false }).kind).toBe(
        "ignore",
      );
    }
  });
});

describe("which earlier attempts a retry looks up first", () => {
  test("every settled, not-paid attempt of the cycle before the one about to be sent", () => {
    const declined = settleAttempt(
      { ...erred(2), status: "claimed" },
      { kind: "declined", severity: "soft", reason: "limit" },
      "response",
      now,
    );
    const rejected = settleAttempt(
      { ...erred(3), status: "claimed" },
      { kind: "rejected", reason: "amount_mismatch", refund: "done" },
      "response",
      now,
    );

    expect(earlierAttemptsToCheck([erred(1), declined, rejected, null]).map((a) => a.attempt)).toEqual([
      1, 2,
    ]);
  });
});

describe("a paid attempt its subscription does not take (a second charge of a cycle)", () => {
  const paidAttempt = (n = 2) => settleAttempt({ ...erred(n), status: "claimed" }, paid, "lookup", now);

  test("the subscription still waits on the attempt's cycle: it takes the payment, nothing to refund", () => {
    expect(whySurplusPayment(waiting(), paidAttempt())).toBeNull();
    // Even a paused or canceled one: a payment for the current cycle is recorded (money moved).
    expect(whySurplusPayment(subscription({ attempt: 2, status: "paused" }, 2), paidAttempt())).toBeNull();
  });

  test("the cycle was paid by another attempt (or skipped): a surplus, refunded", () => {
    expect(whySurplusPayment(subscription({ attempt: 1 }, 3), paidAttempt())).toMatch(
      /cycle 2 is already settled/,
    );
  });

  test("the subscription is gone: a surplus", () => {
    expect(whySurplusPayment(null, paidAttempt())).toBe("the subscription is gone");
  });

  test("an attempt that is not paid is never a surplus", () => {
    expect(whySurplusPayment(subscription({ attempt: 1 }, 3), erred())).toBeNull();
  });
});

describe("iamport's record of the payment a paid attempt keeps", () => {
  const verify = { mode: "test" as const };
  const kept = (patch: Partial<ChargeAttempt> = {}) => keptAttempt(patch, { at: now });
  const record = (patch: Partial<Payment>) => keptPayment(patch);

  test.each([
    ["partly cancelled, status paid", { cancel_amount: 1_000 }],
    ["partly cancelled, status cancelled", { cancel_amount: 1_000, status: "cancelled" as const }],
    ["cancelled in full", { cancel_amount: 9_900, status: "cancelled" as const }],
  ])("%s at iamport, the attempt records nothing: record it", (_, patch) => {
    expect(decideChargePayment(kept(), record(patch), verify)).toEqual({ kind: "record_cancel" });
  });

  test("more cancelled than the attempt records (a second console refund): record it", () => {
    const attempt = kept({ cancelled: { amount: 1_000, at: now.toISOString() } });

    expect(decideChargePayment(attempt, record({ cancel_amount: 3_000 }), verify).kind).toBe("record_cancel");
  });

  test("what the attempt records already, or nothing cancelled: kept as it is", () => {
    const attempt = kept({ cancelled: { amount: 1_000, at: now.toISOString() } });

    expect(decideChargePayment(attempt, record({ cancel_amount: 1_000 }), verify).kind).toBe("keep");
    expect(decideChargePayment(kept(), record({}), verify).kind).toBe("keep");
  });

  test("a surplus attempt's payment is refunded by us: its cancel is not news", () => {
    const attempt = kept({ surplus: "the subscription is gone" });

    expect(
      decideChargePayment(attempt, record({ cancel_amount: 9_900, status: "cancelled" }), verify).kind,
    ).toBe("keep");
  });

  test("another payment under the merchant_uid, cancelled: not the kept one's refund", () => {
    expect(
      decideChargePayment(
        kept(),
        record({ imp_uid: "imp_other", cancel_amount: 9_900, status: "cancelled" }),
        verify,
      ).kind,
    ).toBe("keep");
  });
});
