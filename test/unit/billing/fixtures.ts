import type { ChargeAttempt } from "../../../lib/billing/charge-attempt.js";
import type { BillingPolicy } from "../../../lib/billing/rules/billing-policy.js";
import { type BillingAnchor, cycleStart } from "../../../lib/billing/rules/calendar.js";
import { newClaim, settleAttempt } from "../../../lib/billing/rules/charge-attempt-machine.js";
import type { Subscription } from "../../../lib/billing/subscription.js";
import type { Payment } from "../../../lib/iamport/schemas.js";

export const DAY = 24 * 60 * 60_000;
export const policy: BillingPolicy = {
  retryDays: [1, 3, 5],
  exhaustedAction: "unpaid",
  errorRetryMinutes: 60,
  maxRequestErrors: 3,
};
/** 10:00 KST on the 31st of every month from January 2026. */
export const anchor: BillingAnchor = { interval: "month", year: 2026, month: 1, day: 31, minute: 600 };
export const ID = "sub_0123456789abcdef";

/** An active subscription waiting on `cycle` (attempt 1), due at its start. */
export function subscription(patch: Partial<Subscription> = {}, cycle = 2): Subscription {
  const due = cycleStart(anchor, cycle).toISOString();
  return {
    id: ID,
    status: "active",
    version: 3,
    customerUid: "cu_card_1",
    plan: { name: "Pro", amount: 9_900, interval: "month" },
    currency: "KRW",
    anchor,
    buyer: {},
    idempotencyKey: "k",
    requestHash: "h",
    cycle,
    attempt: 1,
    nextChargeAt: due,
    paidThrough: cycle > 1 ? due : null,
    paidCycles: cycle - 1,
    skippedCycles: 0,
    cancelAtPeriodEnd: false,
    checkAfter: due,
    createdAt: "2026-01-31T01:00:00.000Z",
    updatedAt: "2026-01-31T01:00:00.000Z",
    ...patch,
  };
}

/** Attempt `attempt` of `cycle`, paid with `imp_uid` at `at` and kept by its cycle; `patch` overrides any field. */
export function keptAttempt(
  patch: Partial<ChargeAttempt> = {},
  options: { cycle?: number; attempt?: number; impUid?: string; at?: Date } = {},
): ChargeAttempt {
  const { cycle = 2, attempt = 1, impUid = "imp_kept", at = new Date("2026-02-28T01:00:00.000Z") } = options;
  const claim = newClaim(
    {
      subscriptionId: ID,
      cycle,
      attempt,
      merchantUid: `${ID}_${cycle}_${attempt}`,
      customerUid: "cu_card_1",
      amount: 9_900,
      name: "Pro",
    },
    at,
    120_000,
  );
  return { ...settleAttempt(claim, { kind: "paid", impUid }, "response", at), ...patch };
}

/** iamport's record of {@link keptAttempt}'s payment (cycle 2, attempt 1), paid in full; `patch` overrides any field. */
export function keptPayment(patch: Partial<Payment> = {}): Payment {
  return {
    imp_uid: "imp_kept",
    merchant_uid: `${ID}_2_1`,
    amount: 9_900,
    cancel_amount: 0,
    status: "paid",
    currency: "KRW",
    pay_method: "card",
    ...patch,
  } as Payment;
}
