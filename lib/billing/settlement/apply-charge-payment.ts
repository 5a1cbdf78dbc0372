/**
 * iamport's record of a payment under a charge's merchant_uid, applied to the
 * attempt it names: settles an open attempt, applies or refunds a payment
 * behind a settled-as-not-paid one, refunds a second payment beside a paid
 * one. The webhook and the ledger sweep call it alike, so both converge.
 */
import { RetryLaterError } from "../../errors.js";
import { IamportError } from "../../iamport/errors.js";
import type { Payment } from "../../iamport/schemas.js";
import type { Logger } from "../../observability/logger.js";
import { holdsMoney } from "../../orders/payment-facts.js";
import type { ChargeAttempt, ResolvedBy } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import { isTerminal, outcomeFromPayment } from "../rules/charge-attempt-machine.js";
import type { Subscription } from "../subscription.js";
import { carryOutChargeRefund, chargeRefundOwed } from "./charge-refunds.js";
import { handleLatePayment } from "./late-payment.js";
import { applyToSubscription, settleCharge } from "./settle-charge.js";

export interface ChargePaymentResult {
  outcome: "applied" | "unchanged" | "refunded";
  subscription: Subscription | null;
}

/**
 * Applies `payment` (whose merchant_uid is the attempt's) to `attempt`.
 * @throws RetryLaterError when iamport cannot be read or the subscription keeps changing
 */
export async function applyChargePayment(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  resolvedBy: Extract<ResolvedBy, "webhook" | "lookup">,
  log: Logger,
): Promise<ChargePaymentResult> {
  if (attempt.status === "paid") return besidePaid(deps, attempt, payment, log);
  if (isTerminal(attempt)) return settledNotPaid(deps, attempt, payment, resolvedBy, log);
  const outcome = outcomeFromPayment(attempt, payment, deps.verify);
  if (!outcome)
    return { outcome: "unchanged", subscription: await deps.subscriptions.get(attempt.subscriptionId) };
  const settled = await settleCharge(deps, attempt, outcome, resolvedBy, log);
  return {
    outcome:
      settled.settled.resolvedBy === resolvedBy && settled.settled.version > attempt.version
        ? "applied"
        : "unchanged",
    subscription: settled.subscription,
  };
}

/**
 * The attempt is paid. The webhook's payment is that one (nothing to do), or
 * a second paid payment under the same merchant_uid: refunded in full,
 * decided durably with an alert (the attempt keeps its own).
 */
async function besidePaid(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  log: Logger,
): Promise<ChargePaymentResult> {
  const held = Math.max(0, payment.amount - payment.cancel_amount);
  // Held money, whatever status a partial cancel leaves (`paid` or `cancelled`: undocumented).
  if (payment.imp_uid === attempt.impUid || !holdsMoney(payment) || held === 0) {
    if (attempt.impUid) await carryOutChargeRefund(deps, attempt, attempt.impUid, log);
    return { outcome: "unchanged", subscription: await applyToSubscription(deps, attempt, log) };
  }
  const owed = chargeRefundOwed(
    attempt,
    payment,
    {
      reason: "second_payment",
      alert: "double_charge_refunded",
      detail: `a second payment under ${attempt.merchantUid}, whose attempt keeps ${attempt.impUid}`,
    },
    deps.clock(),
  );
  const decided = await deps.owedRefunds.putIfAbsent(owed);
  if (decided.created) {
    log.error("ALERT a second payment under a paid charge's merchant_uid: refunding it in full", {
      alert: "second_payment",
      amount: payment.amount,
      kept_imp_uid: attempt.impUid,
    });
  }
  await carryOutChargeRefund(deps, attempt, payment.imp_uid, log);
  return { outcome: "refunded", subscription: await deps.subscriptions.get(attempt.subscriptionId) };
}

/** The attempt was settled as not paid; iamport's record may say otherwise. */
async function settledNotPaid(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  resolvedBy: ResolvedBy,
  log: Logger,
): Promise<ChargePaymentResult> {
  if (!holdsMoney(payment))
    return { outcome: "unchanged", subscription: await applyToSubscription(deps, attempt, log) };
  let handled: Awaited<ReturnType<typeof handleLatePayment>>;
  try {
    handled = await handleLatePayment(deps, attempt, payment, resolvedBy, log);
  } catch (error) {
    if (error instanceof IamportError)
      throw new RetryLaterError("iamport could not be read", { cause: error });
    throw error;
  }
  if (handled.result === "conflict") throw new RetryLaterError("the subscription kept changing");
  const outcome = { applied: "applied", refunded: "refunded", ignored: "unchanged" } as const;
  return { outcome: outcome[handled.result], subscription: handled.subscription };
}
