/**
 * iamport's record of a payment under a charge's merchant_uid, applied to the
 * attempt it names: settles an open attempt, applies or refunds a payment
 * behind a settled-as-not-paid one, refunds a second payment beside a paid
 * one, records a refund of the kept one made in iamport's console. The webhook and the ledger sweep call it alike, so both converge.
 * The decision is decideChargePayment's (decide-settlement.ts, pure); this
 * carries it out.
 */
import { RetryLaterError } from "../../errors.js";
import { IamportError } from "../../iamport/errors.js";
import type { Payment } from "../../iamport/schemas.js";
import type { Logger } from "../../observability/logger.js";
import type { ChargeAttempt, ResolvedBy } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import type { Subscription } from "../subscription.js";
import { carryOutChargeRefund, chargeRefundOwed } from "./charge-refunds.js";
import { decideChargePayment } from "./decide-settlement.js";
import { handleLatePayment } from "./late-payment.js";
import { recordChargeCancel } from "./record-charge-cancel.js";
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
  const decision = decideChargePayment(attempt, payment, deps.verify);
  switch (decision.kind) {
    case "keep":
      if (attempt.impUid) await carryOutChargeRefund(deps, attempt, attempt.impUid, log);
      return { outcome: "unchanged", subscription: await applyToSubscription(deps, attempt, log) };
    case "record_cancel": {
      const recorded = await recordChargeCancel(deps, attempt, payment, resolvedBy, log);
      return { outcome: recorded.recorded ? "applied" : "unchanged", subscription: recorded.subscription };
    }
    case "refund_second":
      return refundSecond(deps, attempt, payment, log);
    case "catch_up":
      return { outcome: "unchanged", subscription: await applyToSubscription(deps, attempt, log) };
    case "late":
      return settledNotPaid(deps, attempt, payment, resolvedBy, log);
    case "none":
      return { outcome: "unchanged", subscription: await deps.subscriptions.get(attempt.subscriptionId) };
    case "settle": {
      const settled = await settleCharge(deps, attempt, decision.outcome, resolvedBy, log);
      return {
        outcome:
          settled.settled.resolvedBy === resolvedBy && settled.settled.version > attempt.version
            ? "applied"
            : "unchanged",
        subscription: settled.subscription,
      };
    }
  }
}

/**
 * A second paid payment under a paid attempt's merchant_uid (the attempt
 * keeps its own): refunded in full, decided durably with an alert.
 */
async function refundSecond(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  log: Logger,
): Promise<ChargePaymentResult> {
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

/** The attempt was settled as not paid and iamport holds money under it: apply it or refund it. */
async function settledNotPaid(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  payment: Payment,
  resolvedBy: ResolvedBy,
  log: Logger,
): Promise<ChargePaymentResult> {
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
