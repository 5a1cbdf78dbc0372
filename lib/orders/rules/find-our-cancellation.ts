/**
 * Finding our own cancel in iamport's `cancel_history` after an answer was
 * lost: the lookup that comes before any retry of a cancel. Pure.
 */

import type { RefundPlan } from "../refund.js";
import type { PaymentFacts } from "./payment-facts.js";

export type CancelEntry = NonNullable<PaymentFacts["cancel_history"]>[number];

/**
 * Our cancel in iamport's history: iamport executes it only while the balance
 * equals our `checksum`, so it is the entry of our amount that follows exactly
 * `amount - checksum` of earlier cancels (and carries our reason, when iamport
 * echoes one). That holds whatever else was cancelled afterwards.
 */
export function findOurCancellation(
  payment: PaymentFacts,
  plan: Pick<RefundPlan, "amount" | "checksum" | "reason">,
  /** Cancellations other refund requests already own: never ours. */
  ownedByOthers: ReadonlySet<string> = new Set(),
): CancelEntry | undefined {
  const history = [...(payment.cancel_history ?? [])].sort((a, b) => a.cancelled_at - b.cancelled_at);
  const before = payment.amount - plan.checksum;
  let sum = 0;
  for (const entry of history) {
    if (sum === before && entry.amount === plan.amount && (!entry.reason || entry.reason === plan.reason)) {
      return entry.cancellation_id && ownedByOthers.has(entry.cancellation_id) ? undefined : entry;
    }
    sum += entry.amount;
  }
  return undefined;
}
