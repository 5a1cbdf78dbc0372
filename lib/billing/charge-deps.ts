/** What charging a cycle depends on: the consumer, the webhook and the resolver share it. */
import type { IamportClient } from "../iamport/types.js";
import type { Logger } from "../observability/logger.js";
import type { OwedRefundsRepository } from "../store/owed-refunds-repository.js";
import type { SubscriptionsRepository } from "../store/subscriptions-repository.js";
import type { BillingPolicy } from "./billing-policy.js";
import type { VerifyContext } from "./charge-attempt.js";

export interface ChargeDeps {
  subscriptions: SubscriptionsRepository;
  /** Refunds owed: a payment the subscription does not keep is written here with the decision. */
  owedRefunds: OwedRefundsRepository;
  iamport: Pick<IamportClient, "chargeBillingKey" | "findPayment" | "getPayment" | "cancelPayment">;
  clock: () => Date;
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
