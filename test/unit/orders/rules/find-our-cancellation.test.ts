import { describe, expect, test } from "vitest";
import { findOurCancellation } from "../../../../lib/orders/rules/find-our-cancellation.js";
import type { PaymentFacts } from "../../../../lib/orders/rules/payment-facts.js";

function payment(history: Array<{ amount: number; reason?: string; id: string; at: number }>): PaymentFacts {
  return {
    imp_uid: "imp_1",
    merchant_uid: "m-1",
    amount: 10_000,
    cancel_amount: history.reduce((sum, entry) => sum + entry.amount, 0),
    currency: "KRW",
    status: "paid",
    sandbox: false,
    cancel_history: history.map((entry) => ({
      amount: entry.amount,
      reason: entry.reason ?? null,
      cancellation_id: entry.id,
      cancelled_at: entry.at,
    })),
  };
}

describe("finding our cancel in iamport's history after an unknown outcome", () => {
  test("the entry of our amount right after what was cancelled before our checksum", () => {
    const record = payment([
      { amount: 1_000, reason: "earlier", id: "c-1", at: 1 },
      { amount: 2_000, reason: "size", id: "c-2", at: 2 },
      { amount: 2_000, reason: "later", id: "c-3", at: 3 },
    ]);

    expect(
      findOurCancellation(record, { amount: 2_000, checksum: 9_000, reason: "size" })?.cancellation_id,
    ).toBe("c-2");
  });

  test("not there when the history has no entry at our balance", () => {
    const record = payment([{ amount: 1_000, reason: "size", id: "c-1", at: 1 }]);

    expect(findOurCancellation(record, { amount: 1_000, checksum: 9_000, reason: "size" })).toBeUndefined();
    expect(
      findOurCancellation(payment([]), { amount: 1_000, checksum: 10_000, reason: "size" }),
    ).toBeUndefined();
  });

  test("a console cancel of the same amount at our balance is not mistaken for ours", () => {
    const record = payment([{ amount: 2_000, reason: "관리자 콘솔 취소", id: "c-1", at: 1 }]);

    expect(findOurCancellation(record, { amount: 2_000, checksum: 10_000, reason: "size" })).toBeUndefined();
  });
});
