/**
 * Records an attempt's outcome and the subscription's transition in one
 * transaction (so a crash never leaves one without the other), refunding a
 * rejected payment first (invariant 2), and refunding a paid one the
 * subscription does not take (its cycle already paid or no longer current:
 * a second charge, invariant 3) right after. Used by the consumer, the webhook and
 * lookups alike; whoever settles second finds the attempt settled and stops.
 */
import type { Logger } from "../../observability/logger.js";
import type { AttemptOutcome, ChargeAttempt, ResolvedBy } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import { cycleOutcomeOf, isTerminal, settleAttempt } from "../rules/charge-attempt-machine.js";
import { applyChargeOutcome } from "../rules/subscription-machine.js";
import { historyEvent, type Subscription } from "../subscription.js";
import { carryOutChargeRefund, chargeRefundOwed } from "./charge-refunds.js";
import { whySurplusPayment } from "./decide-settlement.js";

export type SettleOutcome = { settled: ChargeAttempt; subscription: Subscription | null };

const MAX_ROUNDS = 6;

/**
 * Settles `attempt` with `outcome` and applies it to its subscription (one
 * transaction; a lost race re-reads and decides again, bounded).
 *
 * `known.subscription`: the subscription as the caller read it (the consumer,
 * which claimed on that version), so it is not read again. A decision that
 * writes the subscription is conditional on its version anyway; one that
 * would not write it is only made on a subscription read here.
 */
export async function settleCharge(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  outcome: AttemptOutcome,
  resolvedBy: ResolvedBy,
  log: Logger,
  known: { subscription?: Subscription } = {},
): Promise<SettleOutcome> {
  if (outcome.kind === "rejected") {
    log.error(`ALERT subscription charge rejected: ${outcome.reason}`, {
      alert: outcome.reason,
      merchant_uid: attempt.merchantUid,
      imp_uid: outcome.impUid,
    });
  }
  let current = attempt;
  let fresh = known.subscription === undefined;
  let sub = known.subscription ?? (await deps.subscriptions.get(attempt.subscriptionId));
  let withOwed = true;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (isTerminal(current))
      return { settled: current, subscription: await applyToSubscription(deps, current, log) };
    const now = deps.clock();
    const settled = settleAttempt(current, outcome, resolvedBy, now);
    const surplus = whySurplusPayment(sub, settled);
    const next: ChargeAttempt = surplus
      ? { ...settled, surplus }
      : settled.status === "error" || (outcome.kind === "declined" && outcome.refused)
        ? // Looked up once more after the settle window: a refusal can hide a charge (invariant 8).
          {
            ...settled,
            recheck: true,
            checkAfter: new Date(now.getTime() + deps.settings.settleMs).toISOString(),
          }
        : settled;
    const owed = withOwed ? refundOwedBy(next, outcome, now) : undefined;
    const outcomeForSub = cycleOutcomeOf(next);
    const transition = sub && outcomeForSub ? applyChargeOutcome(sub, outcomeForSub, deps.policy, now) : null;
    const change = sub && transition?.kind === "change" ? { current: sub, next: transition.next } : null;
    if (!change && !fresh) {
      // Nothing in the transaction would check the caller's copy: decide on the subscription as it is.
      sub = await deps.subscriptions.get(attempt.subscriptionId);
      fresh = true;
      continue;
    }
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
      ...(owed ? { owed } : {}),
    });
    if (result === "saved") {
      logOutcome(next, change?.next ?? sub, log);
      // The refund is owed durably now; carry it out at once when iamport lets us.
      if (owed) await carryOutChargeRefund(deps, next, owed.impUid, log);
      return { settled: next, subscription: change?.next ?? sub };
    }
    if (result === "owed_exists") {
      withOwed = false; // decided already (the sweep, say): settle the attempt without a second decision
    } else if (result === "attempt_changed") {
      current = await readAttemptAgain(deps, attempt);
    } else {
      sub = await deps.subscriptions.get(attempt.subscriptionId);
      fresh = true;
    }
  }
  throw new Error(`charge attempt ${attempt.merchantUid} kept changing while settling`);
}

/** The attempt as stored now, after a write on `attempt`'s version lost its race. An attempt is never deleted. */
export async function readAttemptAgain(deps: ChargeDeps, attempt: ChargeAttempt): Promise<ChargeAttempt> {
  const fresh = await deps.subscriptions.getAttempt(attempt.subscriptionId, attempt.cycle, attempt.attempt);
  if (!fresh) throw new Error(`charge attempt ${attempt.merchantUid} vanished`);
  return fresh;
}

/**
 * The refund a settled attempt decides: a paid one its subscription does not
 * take (surplus), or a paid record that failed verification (rejected).
 */
function refundOwedBy(next: ChargeAttempt, outcome: AttemptOutcome, now: Date) {
  if (next.status === "paid" && next.surplus && next.impUid) {
    return chargeRefundOwed(
      next,
      { imp_uid: next.impUid, amount: next.amount, cancel_amount: 0, pay_method: "card" },
      { reason: "surplus", alert: "double_charge_refunded", detail: next.surplus },
      now,
    );
  }
  if (outcome.kind === "rejected" && outcome.impUid && outcome.refundable) {
    return chargeRefundOwed(
      next,
      { imp_uid: outcome.impUid, amount: outcome.refundable, cancel_amount: 0, pay_method: "card" },
      {
        reason: "rejected_charge",
        alert: "rejected_charge_refunded",
        detail: `charge rejected: ${outcome.reason}`,
      },
      now,
    );
  }
  return undefined;
}

/**
 * Brings the subscription in line with an attempt that is already settled
 * (normally a no-op: the settling transaction did it). Returns the subscription.
 * `known.subscription`: read in one snapshot with the settled attempt (or after
 * it), so the first round need not read it again; a save is conditional on its version.
 */
export async function applyToSubscription(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  log: Logger,
  known: { subscription?: Subscription | null } = {},
): Promise<Subscription | null> {
  const outcome = cycleOutcomeOf(attempt);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sub =
      round === 0 && known.subscription !== undefined
        ? known.subscription
        : await deps.subscriptions.get(attempt.subscriptionId);
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
