/**
 * The ledger sweep's match for a paid payment under a charge's merchant_uid
 * (`sub_<id>_<cycle>_<attempt>`): the attempt's own payment (nothing to do),
 * or iamport's record applied to the attempt the way its webhook would be
 * (apply-charge-payment.ts), a refund of a kept charge made in iamport's
 * console included. A payment under a charge id no attempt was ever
 * claimed for is an orphan: the `sub_` prefix is ours alone, so it is refunded in full.
 */
import type { Payment } from "../../iamport/schemas.js";
import type { LedgerMatch } from "../../ledger/sweep-ledger.js";
import { holdsMoney } from "../../orders/rules/payment-facts.js";
import type { ChargeDeps } from "../deps.js";
import { parseChargeMerchantUid } from "../rules/merchant-uid.js";
import { applyChargePayment } from "./apply-charge-payment.js";
import { carryOutChargeRefund, chargeRefundOwed } from "./charge-refunds.js";
import { cancelNotRecorded } from "./decide-settlement.js";

export async function matchChargePayment(deps: ChargeDeps, payment: Payment): Promise<LedgerMatch> {
  // Nothing held and nothing cancelled (failed, an account not deposited): nothing for the books.
  if (!holdsMoney(payment) && payment.cancel_amount === 0) return "kept";
  const ids = parseChargeMerchantUid(payment.merchant_uid);
  if (!ids) return "foreign";
  const log = deps.logger.child({
    merchant_uid: payment.merchant_uid,
    imp_uid: payment.imp_uid,
    source: "sweep",
  });
  const attempt = await deps.subscriptions.getAttempt(ids.subscriptionId, ids.cycle, ids.attempt);
  if (!attempt) {
    if (!holdsMoney(payment)) return "kept";
    const owed = chargeRefundOwed(
      {
        subscriptionId: ids.subscriptionId,
        cycle: ids.cycle,
        attempt: ids.attempt,
        merchantUid: payment.merchant_uid,
      },
      payment,
      {
        reason: "orphan",
        alert: "orphan_payment_refunded",
        detail: `a payment under ${payment.merchant_uid}, a charge id of this service that was never claimed`,
      },
      deps.clock(),
    );
    const decided = await deps.owedRefunds.putIfAbsent(owed);
    if (decided.created) {
      log.error(
        "ALERT a paid payment under one of our charge ids was never charged by us: refunding it in full",
        {
          alert: "orphan_payment",
          amount: payment.amount,
        },
      );
    }
    await carryOutChargeRefund(deps, ids, payment.imp_uid, log);
    return decided.created ? "refund_owed" : "kept";
  }
  // A kept charge refunded in iamport's console, its webhook lost: recorded now.
  if (cancelNotRecorded(attempt, payment)) {
    const result = await applyChargePayment(deps, attempt, payment, "lookup", log);
    if (result.outcome === "unchanged") return "kept";
    log.warn("ledger sweep: a refund of a kept charge at iamport was not recorded yet; recorded now");
    return "applied";
  }
  if (!holdsMoney(payment)) return "kept";
  if (attempt.status === "paid" && attempt.impUid === payment.imp_uid && !attempt.surplus) return "kept";
  const before = await deps.owedRefunds.get(
    { kind: "charge", subscriptionId: ids.subscriptionId, cycle: ids.cycle, attempt: ids.attempt },
    payment.imp_uid,
  );
  if (before) {
    // Decided already (a refund owed is final): carry it on.
    await carryOutChargeRefund(deps, attempt, payment.imp_uid, log);
    return "kept";
  }
  const result = await applyChargePayment(deps, attempt, payment, "lookup", log);
  if (result.outcome === "unchanged") return "kept";
  log.warn("ledger sweep: a charge payment was not applied to its attempt yet; applied now", {
    outcome: result.outcome,
  });
  return result.outcome === "refunded" ? "refund_owed" : "applied";
}
