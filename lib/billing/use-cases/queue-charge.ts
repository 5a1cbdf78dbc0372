/**
 * Queues a subscription's due charge at once (a new subscription charged now,
 * a past_due one with a new card) instead of waiting for the dispatcher, then
 * leases its due-index entry so the dispatcher does not queue it again. If the
 * send fails, nothing is lost: the subscription stays due and the dispatcher
 * queues it on its next run.
 */
import type { Logger } from "../../observability/logger.js";
import type { ChargeQueue, SubscriptionsRepository } from "../ports.js";
import type { Subscription } from "../subscription.js";

/** Queues `sub`'s current cycle attempt now and leases its due-index entry; false (logged) when it could not. */
export async function queueCharge(
  deps: {
    queue: ChargeQueue;
    subscriptions: Pick<SubscriptionsRepository, "setCheckAfter">;
    clock: () => Date;
    logger: Logger;
    settings: { dispatchLeaseMs: number };
  },
  sub: Subscription,
): Promise<boolean> {
  try {
    const { failed } = await deps.queue.send([
      { subscriptionId: sub.id, cycle: sub.cycle, attempt: sub.attempt },
    ]);
    if (failed.length > 0) throw new Error("SQS did not accept the message");
    await deps.subscriptions.setCheckAfter(
      sub,
      new Date(deps.clock().getTime() + deps.settings.dispatchLeaseMs).toISOString(),
    );
    return true;
  } catch (error) {
    deps.logger.warn("charge not queued now; the dispatcher will queue it", {
      subscription_id: sub.id,
      error,
    });
    return false;
  }
}
