/**
 * SQS consumer of the charge queue: charges (or resolves) one cycle attempt
 * per message. Partial batch failures: only the messages to retry go back.
 */
import middy from "@middy/core";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { chargeBatch } from "../lib/billing/charge-batch.js";
import { container } from "../lib/runtime/container.js";

export const handler = middy<SQSEvent, SQSBatchResponse>().handler(async (event, context) => {
  const { failed } = await chargeBatch(
    container().chargeDeps,
    event.Records.map((record) => ({
      id: record.messageId,
      body: record.body,
      receiveCount: Number(record.attributes.ApproximateReceiveCount),
    })),
    { remainingMs: () => context.getRemainingTimeInMillis() },
  );
  return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
});
