/**
 * Helpers for the domain event tests: the events the local bus received for
 * one aggregate once the stream is drained, the outbox items in the table,
 * and a publisher invocation with chosen stream records.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { inject } from "vitest";
import { createDocumentClient } from "../../../lib/store/dynamo-client.js";
import type { TestStack } from "../../support/stack.js";

/** The events of `aggregate` the bus holds once everything written so far went through the publisher. */
export async function publishedFor(t: TestStack, aggregate: string) {
  await t.stack.stream.drain();
  return t.stack.events.events(aggregate);
}

/** The outbox items in an aggregate's partition (`ORDER#…` or `SUB#…`). */
export async function outboxItems(t: TestStack, pk: string): Promise<Record<string, unknown>[]> {
  const db = createDocumentClient({ region: "ap-northeast-2", endpoint: inject("dynamoEndpoint") });
  const out = await db.send(
    new QueryCommand({
      TableName: t.stack.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :o)",
      ExpressionAttributeValues: { ":pk": pk, ":o": "OUTBOX#" },
    }),
  );
  return (out.Items ?? []) as Record<string, unknown>[];
}

/** Calls the deployed publisher handler with a DynamoDB stream event, one record per event. */
export async function invokePublisher(
  t: TestStack,
  records: Array<{ sequenceNumber: string; event: unknown }>,
): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const fn = t.stack.functions.find((f) => f.name === "publishEvents");
  if (!fn) throw new Error("serverless.yml has no publishEvents function");
  const event = {
    Records: records.map((r) => ({
      eventName: "INSERT",
      eventSource: "aws:dynamodb",
      dynamodb: {
        SequenceNumber: r.sequenceNumber,
        // The item as the stream shows it (DynamoDB JSON).
        NewImage: marshall({ type: "outbox", event: r.event }, { removeUndefinedValues: true }),
      },
    })),
  };
  return (await fn.handler(event, { getRemainingTimeInMillis: () => 30_000 })) as {
    batchItemFailures: Array<{ itemIdentifier: string }>;
  };
}
