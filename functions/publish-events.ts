/**
 * DynamoDB Streams consumer of the table: publishes each new outbox item's
 * event to the stage's EventBridge bus (the event filter in serverless.yml
 * lets only INSERTs of `type = outbox` through). Partial batch failures: the
 * records whose event was not put come back and are delivered again.
 */
import middy from "@middy/core";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { publishEvents } from "../lib/events/publish-events.js";
import { publishDeps } from "../lib/runtime/event-publisher.js";
import { outboxRecords } from "../lib/store/outbox-stream.js";

export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>().handler(async (event) => {
  const { failed } = await publishEvents(publishDeps(), outboxRecords(event.Records));
  return { batchItemFailures: failed.map((id) => ({ itemIdentifier: id })) };
});
