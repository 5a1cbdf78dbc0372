/**
 * A kept charge refunded at iamport: the merchant cancelled it, in part or in
 * full, in iamport's console (this service never cancels a charge its cycle
 * keeps). The attempt records what iamport cancelled and the subscription a
 * history entry with `subscription.charge_refunded`, in one transaction, so
 * the merchant's other systems hear of it once. The cycle stays paid: what a
 * refund means for the customer's service is the merchant's call, not ours.
 * The webhook, the ledger sweep and the kept-charge audit call it alike.
 */
import type { Payment } from "../../iamport/schemas.js";
import type { Logger } from "../../observability/logger.js";
import type { ChargeAttempt, ResolvedBy } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import { historyEvent, type Subscription } from "../subscription.js";
import { cancelNotRecorded } from "./decide-settlement.js";
import { readAttemptAgain } from "./settle-charge.js";

const MAX_ROUNDS = 6;

/** iamport's time of its last cancel of `payment` (ISO), or undefined when it names none. */
function lastCancelAt(payment: Payment): string | undefined {
  const seconds = Math.max(
    payment.cancelled_at ?? 0,
    ...(payment.cancel_history ?? []).map((c) => c.cancelled_at),
  );
  return seconds > 0 ? new Date(seconds * 1000).toISOString() : undefined;
}

/**
 * Records what iamport has cancelled of the payment `attempt` keeps, when more than the attempt says.
 * Returns the attempt as stored and whether this call recorded it.
 * @throws Error when the attempt or its subscription keeps changing (the caller's retry decides again)
 */
export async function recordChargeCancel(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  resolvedBy: Extract<ResolvedBy, "webhook" | "lookup">,
  log: Logger,
): Promise<{ attempt: ChargeAttempt; subscription: Subscription | null; recorded: boolean }> {
  let current = attempt;
  let sub = await deps.subscriptions.get(attempt.subscriptionId);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (!cancelNotRecorded(current, payment)) return { attempt: current, subscription: sub, recorded: false };
    const now = deps.clock().toISOString();
    const cancelled = Math.min(payment.cancel_amount, current.amount);
    const next: ChargeAttempt = {
      ...current,
      cancelled: { amount: cancelled, at: lastCancelAt(payment) ?? now },
      // The kept-charge audit reads it again a day after this change (rules/kept-audit.ts).
      auditAfter: undefined,
      version: current.version + 1,
      updatedAt: now,
    };
    const change = sub ? { current: sub, next: { ...sub, version: sub.version + 1, updatedAt: now } } : null;
    const result = await deps.subscriptions.settle({
      attempt: { current, next },
      ...(change
        ? {
            subscription: {
              ...change,
              event: {
                ...historyEvent(
                  change.current,
                  change.next,
                  resolvedBy === "webhook" ? "webhook" : "charge",
                  `cycle ${current.cycle}'s charge refunded at iamport`,
                  { cycle: current.cycle, attempt: current.attempt },
                ),
                chargeCancel: {
                  merchantUid: current.merchantUid,
                  impUid: payment.imp_uid,
                  charged: current.amount,
                  amount: cancelled - (current.cancelled?.amount ?? 0),
                  cancelled,
                },
              },
            },
          }
        : {}),
    });
    if (result === "saved") {
      log.warn("a kept subscription charge was refunded at iamport (its console); recorded", {
        merchant_uid: current.merchantUid,
        imp_uid: payment.imp_uid,
        cancelled,
        charged: current.amount,
        resolved_by: resolvedBy,
      });
      return { attempt: next, subscription: change?.next ?? sub, recorded: true };
    }
    if (result === "attempt_changed") {
      current = await readAttemptAgain(deps, current);
    } else {
      sub = await deps.subscriptions.get(attempt.subscriptionId);
    }
  }
  throw new Error(`charge attempt ${attempt.merchantUid} kept changing while recording a cancel`);
}
