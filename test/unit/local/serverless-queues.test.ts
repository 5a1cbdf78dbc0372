import { expect, test } from "vitest";
import {
  readQueueEnvironment,
  readServerlessFunctions,
  readServerlessQueues,
} from "../../../local/serverless-routes.js";

test("serverless.yml's queues, redrive, consumer and queue URL variable are what the stand-in reads", () => {
  const specs = readServerlessQueues();
  const consumers = readServerlessFunctions().flatMap((fn) => fn.queues.map((q) => ({ fn: fn.name, ...q })));

  expect(specs).toContainEqual({
    name: "ChargeQueue",
    visibilityTimeoutSeconds: 720,
    redrive: { deadLetterQueue: "ChargeDeadLetterQueue", maxReceiveCount: 5 },
  });
  expect(consumers).toEqual([
    {
      fn: "chargeSubscription",
      queue: "ChargeQueue",
      batchSize: 30,
      reportBatchItemFailures: true,
      maximumConcurrency: 3,
    },
  ]);
  expect(readQueueEnvironment()).toEqual({ CHARGE_QUEUE_URL: "ChargeQueue" });
});
