/**
 * DynamoDB Streams consumer of the table: publishes each new outbox item's
 * event to the stage's EventBridge bus (the event filter in serverless.yml
 * lets only INSERTs of `type = outbox` through). Partial batch failures: the
 * records whose event was not put come back and are delivered again.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { publishEvents } from "../lib/events/publish-events.js";
import { publishDeps } from "../lib/runtime/event-publisher.js";
import { outboxRecords } from "../lib/store/outbox-stream.js";

// No middy: see lib/http/handler.ts (only HTTP functions have a stack).
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  const { failed } = await publishEvents(publishDeps(), outboxRecords(event.Records));
  return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
};
