/**
 * The kept-charge audit's schedule (pure), as the held-payment audit's for orders
 * (orders/rules/held-audit.ts): a refund made in iamport's console is told only by a
 * webhook, sent once, and a partial cancel may leave the payment `paid` with the
 * `paid_at` of long ago, out of the ledger sweep's listings. So every charge a cycle
 * keeps is read again at iamport while it could still be cancelled: daily for its first
 * month (when refunds are asked for), weekly after, so a merchant with a year of cycles
 * pays iamport a request per hundred charges a week for the old ones; a refund the
 * attempt does not record is recorded (settlement/record-charge-cancel.ts).
 */
import { HELD_AUDIT_HORIZON_MS, HELD_AUDIT_INTERVAL_MS } from "../../orders/rules/held-audit.js";
import type { ChargeAttempt } from "../charge-attempt.js";

/** Daily while the charge is younger than this, then {@link OLD_CHARGE_INTERVAL_MS}. */
export const YOUNG_CHARGE_MS = 30 * HELD_AUDIT_INTERVAL_MS;
export const OLD_CHARGE_INTERVAL_MS = 7 * HELD_AUDIT_INTERVAL_MS;

/**
 * When the audit reads `attempt`'s payment next (ISO), or undefined when it does not: the attempt keeps
 * no payment (not paid, or a surplus we refund ourselves), all of it is refunded already, or the payment
 * is past the horizon.
 */
export function nextKeptAudit(attempt: ChargeAttempt): string | undefined {
  if (attempt.status !== "paid" || attempt.surplus || !attempt.impUid) return undefined;
  if ((attempt.cancelled?.amount ?? 0) >= attempt.amount) return undefined;
  const at = attempt.auditAfter
    ? Date.parse(attempt.auditAfter)
    : Date.parse(attempt.updatedAt) + HELD_AUDIT_INTERVAL_MS;
  const paidAt = Date.parse(attempt.paidAt ?? attempt.claimedAt);
  if (!Number.isFinite(at) || !(at <= paidAt + HELD_AUDIT_HORIZON_MS)) return undefined;
  return new Date(at).toISOString();
}

/** The audit after one made at `now` that found the record as the attempt says. */
export function keptAuditAgainAt(attempt: ChargeAttempt, now: Date): string {
  const paidAt = Date.parse(attempt.paidAt ?? attempt.claimedAt);
  const young = !Number.isFinite(paidAt) || now.getTime() - paidAt < YOUNG_CHARGE_MS;
  return new Date(now.getTime() + (young ? HELD_AUDIT_INTERVAL_MS : OLD_CHARGE_INTERVAL_MS)).toISOString();
}
