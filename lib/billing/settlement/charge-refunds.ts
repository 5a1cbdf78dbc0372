/**
 * Refunds owed for payments under a subscription charge's merchant_uid (a
 * surplus, a rejected charge, a second payment): written with the decision
 * (lib/ledger), then carried out at once when possible; if iamport cannot do
 * it now, the executor pass of the reconciler and the ledger sweep goes on.
 */
import { newOwedRefund, type OwedRefund, type OwedRefundReason } from "../../ledger/owed-refund.js";
import { payOwedRefund } from "../../ledger/pay-owed-refund.js";
import type { Logger } from "../../observability/logger.js";
import type { PaymentFacts } from "../../orders/rules/payment-facts.js";
import type { ChargeAttempt } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";

/** The refund owed for `payment`, found under `attempt`'s merchant_uid. */
export function chargeRefundOwed(
  attempt: Pick<ChargeAttempt, "subscriptionId" | "cycle" | "attempt" | "merchantUid">,
  payment: Pick<PaymentFacts, "imp_uid" | "amount" | "cancel_amount" | "pay_method">,
  why: { reason: OwedRefundReason; alert: string; detail: string },
  now: Date,
): OwedRefund {
  return newOwedRefund(
    {
      impUid: payment.imp_uid,
      merchantUid: attempt.merchantUid,
      owner: {
        kind: "charge",
        subscriptionId: attempt.subscriptionId,
        cycle: attempt.cycle,
        attempt: attempt.attempt,
      },
      ...why,
      payment,
    },
    now,
  );
}

/**
 * Carries out the refund owed for `impUid` under `attempt`, if there is one
 * not yet done. Never throws for iamport trouble (the refund stays owed).
 */
export async function carryOutChargeRefund(
  deps: ChargeDeps,
  attempt: Pick<ChargeAttempt, "subscriptionId" | "cycle" | "attempt">,
  impUid: string,
  log: Logger,
): Promise<OwedRefund | null> {
  const owner = {
    kind: "charge" as const,
    subscriptionId: attempt.subscriptionId,
    cycle: attempt.cycle,
    attempt: attempt.attempt,
  };
  try {
    const owed = await deps.owedRefunds.get(owner, impUid);
    if (!owed || owed.state === "done") return owed;
    return await payOwedRefund(deps, owed);
  } catch (error) {
    log.warn("a refund owed could not be carried out now; the next executor run goes on", { error });
    return null;
  }
}
