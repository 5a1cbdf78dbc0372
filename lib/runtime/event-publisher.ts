/**
 * The publisher's dependencies, for functions/publish-events.ts only: kept out
 * of container.ts so no other function's bundle carries the bus.
 */
import type { Config } from "../config.js";
import type { PublishEventsDeps } from "../events/publish-events.js";
import type { Logger } from "../observability/logger.js";
import { container } from "./container.js";
import { createEventBridgeBus } from "./event-bridge.js";

/** The events' Source: one per stage, so a rule on a shared account matches its own stage only. */
export const eventSource = (stage: string) => `kicc-iamport.${stage}`;

/** The publisher's dependencies for `config` (tests build theirs beside their own container). */
export function buildPublishDeps(config: Config, logger: Logger): PublishEventsDeps {
  if (!config.EVENT_BUS_NAME) throw new Error("EVENT_BUS_NAME is not set for this function (serverless.yml)");
  return {
    bus: createEventBridgeBus({
      region: config.AWS_REGION,
      busName: config.EVENT_BUS_NAME,
      // The local bus takes any signature; never used on AWS (no endpoint there).
      ...(config.EVENTBRIDGE_ENDPOINT
        ? {
            endpoint: config.EVENTBRIDGE_ENDPOINT,
            credentials: async () => ({ accessKeyId: "local", secretAccessKey: "local" }),
          }
        : {}),
    }),
    logger,
    source: eventSource(config.STAGE),
  };
}

let current: PublishEventsDeps | undefined;

/** The publisher's dependencies of this Lambda instance, built on first use. */
export function publishDeps(): PublishEventsDeps {
  const { config, logger } = container();
  current ??= buildPublishDeps(config, logger);
  return current;
}
