/**
 * The held-payment audit's schedule (pure). iamport tells of a cancel made in its console only by a
 * webhook, sent once by default; and a partial cancel may leave the payment `paid`, with the `paid_at`
 * of long ago, so neither of the ledger sweep's listings shows it. So every order that holds money is
 * read again at iamport once a day, for as long as its payment could still be cancelled, and iamport's
 * record applied when it differs: our books follow iamport's within a day, whatever was lost.
 */
import type { Order, OrderStatus } from "../order.js";
import { holdsMoney, type PaymentFacts } from "./payment-facts.js";

export const HELD_AUDIT_INTERVAL_MS = 24 * 60 * 60_000;
/**
 * How long after the payment it is audited: card payments can be cancelled for about a year (the
 * exact limit per card company is not published), so a little longer.
 */
export const HELD_AUDIT_HORIZON_MS = 400 * 24 * 60 * 60_000;

const HELD: ReadonlySet<OrderStatus> = new Set(["paid", "partially_refunded"]);

/**
 * When the audit reads `order` next (ISO), or undefined when it does not: the order holds nothing, it
 * is on the reconciler's due index already (which reads iamport itself), or its payment is past the horizon.
 */
export function nextHeldAudit(order: Order): string | undefined {
  if (order.checkAfter || !HELD.has(order.status) || !order.impUid) return undefined;
  const at = order.auditAfter
    ? Date.parse(order.auditAfter)
    : Date.parse(order.updatedAt) + HELD_AUDIT_INTERVAL_MS;
  const paidAt = Date.parse(order.paidAt ?? order.createdAt);
  if (!Number.isFinite(at) || !(at <= paidAt + HELD_AUDIT_HORIZON_MS)) return undefined;
  return new Date(at).toISOString();
}

/** The audit after one made at `now`. */
export function auditAgainAt(now: Date): string {
  return new Date(now.getTime() + HELD_AUDIT_INTERVAL_MS).toISOString();
}

/** Whether iamport's record of the order's payment says what the order says: nothing to apply. */
export function recordAgrees(order: Order, payment: PaymentFacts): boolean {
  return (
    payment.imp_uid === order.impUid &&
    holdsMoney(payment) &&
    Math.min(payment.cancel_amount, order.amount) === order.refundedAmount
  );
}
