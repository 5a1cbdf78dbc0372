/**
 * The ledger sweep's matcher: like the webhook, a payment goes to billing when
 * its merchant_uid is a subscription charge's (`sub_…`) and to orders
 * otherwise; each applies iamport's record through its own rules.
 */

import type { ChargeDeps } from "../billing/deps.js";
import { SUBSCRIPTION_PREFIX } from "../billing/rules/merchant-uid.js";
import { matchChargePayment } from "../billing/settlement/index.js";
import type { Payment } from "../iamport/schemas.js";
import type { LedgerMatch } from "../ledger/sweep-ledger.js";
import type { VerifyPaymentDeps } from "../orders/deps.js";
import { matchOrderPayment } from "../orders/use-cases/match-order-payment.js";

/** The matcher the sweep calls for each of iamport's paid payments. */
export function createLedgerMatcher(deps: {
  orders: VerifyPaymentDeps;
  billing: ChargeDeps;
}): (payment: Payment) => Promise<LedgerMatch> {
  return (payment) =>
    // Orders may not take the prefix: anything under it is a charge's (or no one's).
    payment.merchant_uid.startsWith(SUBSCRIPTION_PREFIX)
      ? matchChargePayment(deps.billing, payment)
      : matchOrderPayment(deps.orders, payment);
}
