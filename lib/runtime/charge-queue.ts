/**
 * The charge queue of this container, for the functions that enqueue
 * (dispatch-charges, create-subscription, switch-subscription-card). Kept
 * out of container.ts so the other functions' bundles do not carry the SQS
 * client; it is loaded on the first send anyway.
 */
import type { ChargeQueue } from "../billing/ports.js";
import type { Config } from "../config.js";
import type { Logger } from "../observability/logger.js";
import { createSqsChargeQueue } from "../queue/sqs-charge-queue.js";
import { container } from "./container.js";

/** A queue for `config` (tests build one beside their own container). */
export function buildChargeQueue(config: Config, logger: Logger): ChargeQueue {
  return createSqsChargeQueue({
    queueUrl: config.CHARGE_QUEUE_URL,
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    logger,
  });
}

let current: ChargeQueue | undefined;

/** The charge queue of this Lambda instance, built on first use. */
export function chargeQueue(): ChargeQueue {
  const { config, logger } = container();
  current ??= buildChargeQueue(config, logger);
  return current;
}
