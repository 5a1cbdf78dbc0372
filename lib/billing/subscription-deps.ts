/** What the merchant-API use cases of subscriptions depend on (one object, built per container). */
import type { IamportClient } from "../iamport/types.js";
import type { Logger } from "../observability/logger.js";
import type { BillingKeysRepository } from "../store/billing-keys-repository.js";
import type { SubscriptionsRepository } from "../store/subscriptions-repository.js";
import type { BillingPolicy } from "./billing-policy.js";
import type { ChargeQueue } from "./charge-queue.js";

export interface SubscriptionDeps {
  subscriptions: SubscriptionsRepository;
  billingKeys: BillingKeysRepository;
  iamport: Pick<IamportClient, "getBillingKey" | "deleteBillingKey">;
  queue: ChargeQueue;
  clock: () => Date;
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
