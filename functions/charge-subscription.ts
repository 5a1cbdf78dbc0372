/**
 * SQS consumer of the charge queue: charges (or resolves) one cycle attempt
 * per message. Partial batch failures: only the messages to retry go back.
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { chargeBatch } from "../lib/billing/use-cases/charge-batch.js";
import { withInvocationDeadline } from "../lib/deadline.js";
import { container } from "../lib/runtime/container.js";

// No middy: see lib/http/handler.ts (only HTTP functions have a stack).
export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  // Every iamport call ends before Lambda's timeout; a charge cut short is an unknown outcome, looked up.
  const { chargeDeps, config } = container();
  const { failed } = await withInvocationDeadline(context, () =>
    chargeBatch(
      chargeDeps,
      event.Records.map((record) => ({
        id: record.messageId,
        body: record.body,
        receiveCount: Number(record.attributes.ApproximateReceiveCount),
      })),
      {
        remainingMs: () => context.getRemainingTimeInMillis(),
        iamportCallsInFlight: config.CHARGE_IAMPORT_CALLS_IN_FLIGHT,
      },
    ),
  );
  return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
};
