/**
 * Records an attempt's outcome and the subscription's transition in one
 * transaction (so a crash never leaves one without the other), refunding a
 * rejected payment first (invariant 2), and refunding a paid one the
 * subscription does not take (its cycle already paid or no longer current:
 * a second charge, invariant 3) right after. Used by the consumer, the webhook and
 * lookups alike; whoever settles second finds the attempt settled and stops.
 */
import type { Logger } from "../observability/logger.js";
import {
  type AttemptOutcome,
  type ChargeAttempt,
  cycleOutcomeOf,
  isTerminal,
  type ResolvedBy,
  settleAttempt,
} from "./charge-attempt.js";
import type { ChargeDeps } from "./charge-deps.js";
import { refundSurplus, whySurplusPayment } from "./late-payment.js";
import { historyEvent, type Subscription } from "./subscription.js";
import { applyChargeOutcome } from "./subscription-machine.js";

export type SettleOutcome = { settled: ChargeAttempt; subscription: Subscription | null };

const MAX_ROUNDS = 6;

/**
 * Settles `attempt` with `outcome` and applies it to its subscription (one
 * transaction; a lost race re-reads and decides again, bounded).
 */
export async function settleCharge(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  outcome: AttemptOutcome,
  resolvedBy: ResolvedBy,
  log: Logger,
): Promise<SettleOutcome> {
  const final = outcome.kind === "rejected" ? await refundRejected(deps, attempt, outcome, log) : outcome;
  let current = attempt;
  let sub = await deps.subscriptions.get(attempt.subscriptionId);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (isTerminal(current))
      return { settled: current, subscription: await applyToSubscription(deps, current, log) };
    const now = deps.clock();
    const settled = settleAttempt(current, final, resolvedBy, now);
    const surplus = whySurplusPayment(sub, settled);
    const next: ChargeAttempt = surplus ? { ...settled, surplus } : settled;
    const outcomeForSub = cycleOutcomeOf(next);
    const transition = sub && outcomeForSub ? applyChargeOutcome(sub, outcomeForSub, deps.policy, now) : null;
    const change = sub && transition?.kind === "change" ? { current: sub, next: transition.next } : null;
    const result = await deps.subscriptions.settle({
      attempt: { current, next },
      ...(change
        ? {
            subscription: {
              ...change,
              event: historyEvent(
                change.current,
                change.next,
                resolvedBy === "webhook" ? "webhook" : "charge",
                transition?.kind === "change" ? transition.reason : "",
                { cycle: next.cycle, attempt: next.attempt },
              ),
            },
          }
        : {}),
    });
    if (result === "saved") {
      logOutcome(next, change?.next ?? sub, log);
      // Only the settler that saved it refunds (a redelivered message retries a failed refund).
      await refundSurplus(deps, next, log);
      return { settled: next, subscription: change?.next ?? sub };
    }
    if (result === "attempt_changed") {
      const fresh = await deps.subscriptions.getAttempt(
        attempt.subscriptionId,
        attempt.cycle,
        attempt.attempt,
      );
      if (!fresh) throw new Error(`charge attempt ${attempt.merchantUid} vanished`);
      current = fresh;
    } else {
      sub = await deps.subscriptions.get(attempt.subscriptionId);
    }
  }
  throw new Error(`charge attempt ${attempt.merchantUid} kept changing while settling`);
}

/**
 * Brings the subscription in line with an attempt that is already settled
 * (normally a no-op: the settling transaction did it). Returns the subscription.
 */
export async function applyToSubscription(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  log: Logger,
): Promise<Subscription | null> {
  const outcome = cycleOutcomeOf(attempt);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sub = await deps.subscriptions.get(attempt.subscriptionId);
    if (!sub || !outcome) return sub;
    const transition = applyChargeOutcome(sub, outcome, deps.policy, deps.clock());
    if (transition.kind !== "change") return sub;
    const event = historyEvent(sub, transition.next, "charge", transition.reason, outcome);
    const saved = await deps.subscriptions.save(sub, transition.next, event);
    if (saved.saved) {
      log.info("subscription caught up with a settled charge", { reason: transition.reason });
      return transition.next;
    }
  }
  throw new Error(`subscription ${attempt.subscriptionId} kept changing`);
}

/** A paid record we cannot accept is refunded in full, with checksum, before anything is written. */
async function refundRejected(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  outcome: Extract<AttemptOutcome, { kind: "rejected" }>,
  log: Logger,
): Promise<AttemptOutcome> {
  log.error(`ALERT subscription charge rejected: ${outcome.reason}`, {
    alert: outcome.reason,
    merchant_uid: attempt.merchantUid,
    imp_uid: outcome.impUid,
  });
  if (!outcome.impUid || !outcome.refundable) return outcome;
  try {
    await deps.iamport.cancelPayment({
      impUid: outcome.impUid,
      amount: outcome.refundable,
      checksum: outcome.refundable,
      reason: "정기결제 검증 실패 자동 환불",
    });
    return { ...outcome, refundable: 0, refund: "done" };
  } catch (error) {
    log.error("ALERT rejected subscription charge not refunded; refund it by hand", {
      alert: "refund_failed",
      merchant_uid: attempt.merchantUid,
      error,
    });
    return { ...outcome, refund: "failed" };
  }
}

function logOutcome(attempt: ChargeAttempt, sub: Subscription | null, log: Logger): void {
  const fields = {
    merchant_uid: attempt.merchantUid,
    status: attempt.status,
    resolved_by: attempt.resolvedBy,
    subscription_status: sub?.status,
  };
  if (attempt.status === "error") {
    // A refusal is not a decline: someone must see why iamport refuses our requests.
    log.error("ALERT iamport refused a subscription charge", {
      ...fields,
      alert: "billing_request_error",
      code: attempt.errorCode,
      reason: attempt.reason,
    });
  } else if (attempt.status === "paid") log.info("subscription charge paid", fields);
  else
    log.warn(`subscription charge ${attempt.status}`, {
      ...fields,
      reason: attempt.reason,
      severity: attempt.severity,
    });
}
