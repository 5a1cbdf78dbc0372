/**
 * A payment that iamport holds for an attempt we had settled as NOT paid
 * (a refusal that was in fact charged, e.g. a PG communication error; an
 * attempt closed as `error` after the give-up time; a late approval).
 * Invariant 3 in both directions:
 *
 * - before a retry of a cycle is sent, the earlier attempts' merchant_uids are
 *   looked up; a paid one becomes the cycle's payment instead of charging again;
 * - a paid webhook for such an attempt becomes the cycle's payment when the
 *   cycle still waits for one, and is refunded in full (checksum, after a
 *   re-read: never twice) when the cycle is paid by another attempt, skipped,
 *   or no longer charged.
 *
 * Either way an ALERT line says a person should know.
 */
import type { Payment } from "../../iamport/schemas.js";
import type { Logger } from "../../observability/logger.js";
import type { AttemptOutcome, ChargeAttempt, ResolvedBy } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import {
  cycleOutcomeOf,
  isTerminal,
  outcomeFromPayment,
  settleAttempt,
} from "../rules/charge-attempt-machine.js";
import { applyChargeOutcome } from "../rules/subscription-machine.js";
import { historyEvent, type Subscription } from "../subscription.js";
import { carryOutChargeRefund, chargeRefundOwed } from "./charge-refunds.js";
import { decideLatePayment, type LatePaymentDecision } from "./decide-settlement.js";

export type LatePaymentResult = "applied" | "refunded" | "ignored" | "conflict";

/**
 * Handles iamport's `payment` for the settled, not-paid `attempt`: applies it
 * to the cycle or refunds it (bounded re-reads on a lost race).
 * @throws IamportError when a refund cannot be made or confirmed now (try again later)
 */
export async function handleLatePayment(
  deps: ChargeDeps,
  settled: ChargeAttempt,
  payment: Payment,
  resolvedBy: ResolvedBy,
  log: Logger,
): Promise<{ result: LatePaymentResult; subscription: Subscription | null }> {
  let attempt = settled;
  const owner = {
    kind: "charge" as const,
    subscriptionId: settled.subscriptionId,
    cycle: settled.cycle,
    attempt: settled.attempt,
  };
  if (await deps.owedRefunds.get(owner, payment.imp_uid)) {
    // Its refund was decided already (final): carry it on, never apply it.
    await carryOutChargeRefund(deps, settled, payment.imp_uid, log);
    return { result: "refunded", subscription: await deps.subscriptions.get(settled.subscriptionId) };
  }
  for (let round = 0; round < 3; round++) {
    const sub = await deps.subscriptions.get(attempt.subscriptionId);
    const outcome = outcomeFromPayment(attempt, payment, deps.verify);
    const decision = decideLatePayment({
      sub,
      attempt,
      outcome,
      otherAttemptOpen: await otherAttemptOpen(deps, sub, attempt),
    });
    if (decision.kind === "ignore") return { result: "ignored", subscription: sub };
    if (decision.kind === "refund") {
      const recorded = await refundLate(deps, attempt, payment, decision, log);
      if (recorded) return { result: "refunded", subscription: sub };
      const fresh = await deps.subscriptions.getAttempt(
        attempt.subscriptionId,
        attempt.cycle,
        attempt.attempt,
      );
      if (!fresh) return { result: "ignored", subscription: sub };
      attempt = fresh;
      continue;
    }
    if (sub && outcome?.kind === "paid" && (await applyLate(deps, sub, attempt, outcome, resolvedBy, log)))
      return { result: "applied", subscription: await deps.subscriptions.get(attempt.subscriptionId) };
    const fresh = await deps.subscriptions.getAttempt(attempt.subscriptionId, attempt.cycle, attempt.attempt);
    if (!fresh) return { result: "ignored", subscription: sub };
    attempt = fresh;
  }
  return { result: "conflict", subscription: await deps.subscriptions.get(attempt.subscriptionId) };
}

async function otherAttemptOpen(
  deps: ChargeDeps,
  sub: Subscription | null,
  attempt: ChargeAttempt,
): Promise<boolean> {
  if (!sub || sub.cycle !== attempt.cycle || sub.attempt === attempt.attempt) return false;
  const current = await deps.subscriptions.getAttempt(sub.id, sub.cycle, sub.attempt);
  return current !== null && !isTerminal(current);
}

/** The attempt becomes paid and the subscription moves on, in one transaction; false when either changed. */
async function applyLate(
  deps: ChargeDeps,
  sub: Subscription,
  attempt: ChargeAttempt,
  outcome: Extract<AttemptOutcome, { kind: "paid" }>,
  resolvedBy: ResolvedBy,
  log: Logger,
): Promise<boolean> {
  const now = deps.clock();
  const next: ChargeAttempt = {
    ...settleAttempt(attempt, outcome, resolvedBy, now),
    lateFrom: attempt.status,
  };
  const cycleOutcome = cycleOutcomeOf(next);
  const transition = cycleOutcome ? applyChargeOutcome(sub, cycleOutcome, deps.policy, now) : null;
  if (transition?.kind !== "change") return false;
  const reason = `${transition.reason}; found paid at iamport after it was settled as ${attempt.status}`;
  const saved = await deps.subscriptions.settle({
    attempt: { current: attempt, next },
    subscription: {
      current: sub,
      next: transition.next,
      event: historyEvent(sub, transition.next, resolvedBy === "webhook" ? "webhook" : "charge", reason, {
        cycle: attempt.cycle,
        attempt: attempt.attempt,
      }),
    },
  });
  if (saved !== "saved") return false;
  log.error("ALERT an attempt settled as not paid was paid at iamport; it is the cycle's payment", {
    alert: "late_paid_attempt",
    merchant_uid: attempt.merchantUid,
    imp_uid: outcome.impUid,
    was: attempt.status,
    cycle: attempt.cycle,
    resolved_by: resolvedBy,
  });
  return true;
}

/**
 * Decides the refund of a late payment durably: the attempt notes it
 * (`lateRefund`) and the refund owed is written in the same transaction,
 * then carried out at once when possible (in full, `checksum` on the balance
 * re-read: a duplicate never refunds twice). False when the attempt changed
 * meanwhile (decide again).
 */
async function refundLate(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  decision: Extract<LatePaymentDecision, { kind: "refund" }>,
  log: Logger,
): Promise<boolean> {
  const now = deps.clock();
  const owed = chargeRefundOwed(
    attempt,
    payment,
    {
      reason: decision.alert === "double_charge_refunded" ? "surplus" : "rejected_charge",
      alert: decision.alert,
      detail: decision.why,
    },
    now,
  );
  if (owed.amount === 0 && !(await deps.owedRefunds.get(owed.owner, owed.impUid))) {
    log.info("late payment already refunded", { imp_uid: payment.imp_uid, why: decision.why });
    return true;
  }
  const next: ChargeAttempt = {
    ...attempt,
    lateRefund: { impUid: payment.imp_uid, amount: owed.amount, at: now.toISOString() },
    version: attempt.version + 1,
    updatedAt: now.toISOString(),
  };
  const saved = await deps.subscriptions.decideRefund(attempt, next, owed);
  if (saved === "attempt_changed") return false;
  await carryOutChargeRefund(deps, attempt, payment.imp_uid, log);
  return true;
}
