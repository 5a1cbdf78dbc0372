/**
 * The charge queue as the use cases see it: one message per cycle attempt to
 * charge (or to resolve). SQS behind it delivers at least once, so the
 * consumer is idempotent by (subscription, cycle, attempt), never by message.
 */
import * as z from "../validation/zod.js";
import { MAX_CYCLE } from "./calendar.js";
import { isSubscriptionId, MAX_ATTEMPT } from "./merchant-uid.js";

export interface ChargeMessage {
  subscriptionId: string;
  cycle: number;
  attempt: number;
}

/** The message body, checked on receipt like any other trust boundary. */
export const chargeMessageSchema = z.strictObject({
  subscriptionId: z.string().check(z.refine(isSubscriptionId, "not a subscription id")),
  cycle: z.int().check(z.gte(1), z.lte(MAX_CYCLE)),
  attempt: z.int().check(z.gte(1), z.lte(MAX_ATTEMPT)),
});

export interface ChargeQueue {
  /** Sends the messages; those SQS did not accept come back (the dispatcher finds them again later). */
  send(messages: ChargeMessage[]): Promise<{ failed: ChargeMessage[] }>;
}
