/**
 * The dependency objects of billing's use cases, built from the ports
 * (ports.ts) once per container by lib/runtime. A use case whose needs are
 * narrower declares its own `Pick` of these, so its deps say exactly what it uses.
 */

import type {
  BillingIamport,
  BillingKeysRepository,
  ChargeQueue,
  Clock,
  Logger,
  OwedRefundsRepository,
  SubscriptionsRepository,
} from "./ports.js";
import type { BillingPolicy } from "./rules/billing-policy.js";
import type { VerifyContext } from "./rules/charge-attempt-machine.js";

/** What charging a cycle depends on: the consumer, the webhook and the resolver share it. */
export interface ChargeDeps {
  subscriptions: SubscriptionsRepository;
  /** Refunds owed: a payment the subscription does not keep is written here with the decision. */
  owedRefunds: OwedRefundsRepository;
  iamport: Pick<
    BillingIamport,
    "chargeBillingKey" | "findPayment" | "getPayment" | "getPayments" | "cancelPayment"
  >;
  clock: Clock;
  logger: Logger;
  policy: BillingPolicy;
  /** Live mode and our billing MID: what a paid record must match. */
  verify: VerifyContext;
  settings: {
    /** Our webhook URL, sent as `notice_url` so the paid webhook of a charge comes here. */
    noticeUrl?: string;
    /** How long a claim is its worker's; past it, the attempt is treated as unknown. Above the Lambda timeout. */
    claimLeaseMs: number;
    /** After a send with an unknown outcome, how long before "no record at iamport" is believed. */
    settleMs: number;
    /** How long an unknown attempt waits between lookups when nobody asks sooner. */
    lookAgainMs: number;
    /** Past this, an attempt iamport still has no record of (after every send) ends as an error. */
    giveUpMs: number;
  };
}

/** What the merchant-API use cases of subscriptions depend on (one object, built per container). */
export interface SubscriptionDeps {
  subscriptions: SubscriptionsRepository;
  billingKeys: BillingKeysRepository;
  iamport: Pick<BillingIamport, "getBillingKey" | "deleteBillingKey">;
  queue: ChargeQueue;
  clock: Clock;
  logger: Logger;
  mode: "live" | "test";
  /** KICC_BILLING_MID, when configured: keys through any other MID are refused. */
  billingMid?: string;
  policy: BillingPolicy;
  settings: {
    /** How long a queued charge keeps the subscription out of the dispatcher's due window. */
    dispatchLeaseMs: number;
  };
}
