/**
 * The local stand-in for Lambda's DynamoDB stream event source, on DynamoDB
 * Local's real stream: only new outbox items reach the function, a batch
 * whose handler throws is split until the record that throws is alone, and
 * that record alone ends on the failure list after its retries; reported
 * failures restart delivery at the first failed record.
 */
import { randomUUID } from "node:crypto";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterEach, expect, inject, test } from "vitest";
import { createDocumentClient } from "../../../lib/store/dynamo-client.js";
import { createTable } from "../../../local/dynamodb/create-table.js";
import { type StreamSource, startStreamSource } from "../../../local/stream-event-source.js";

const endpoint = inject("dynamoEndpoint");
const db = createDocumentClient({ region: "ap-northeast-2", endpoint });
let source: StreamSource | undefined;
afterEach(async () => {
  await source?.close();
});

type Batch = string[];
/** The `n` of each record's item (`OUTBOX#<n>`), per invocation. */
const idsOf = (event: any): Batch =>
  event.Records.map((r: any) => String(r.dynamodb.NewImage.SK.S).replace("OUTBOX#", ""));

async function table(): Promise<string> {
  const name = `stream-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, name);
  return name;
}
const putOutbox = (TableName: string, n: string) =>
  db.send(
    new PutCommand({ TableName, Item: { PK: "ORDER#x", SK: `OUTBOX#${n}`, type: "outbox", event: { n } } }),
  );

test("only INSERTs of outbox items are handed on; a throwing record is isolated by bisection and given up on alone", async () => {
  const TableName = await table();
  const calls: Batch[] = [];
  const handled = new Set<string>();
  source = startStreamSource({
    dynamoEndpoint: endpoint,
    tableName: TableName,
    functionName: "publishEvents",
    batchSize: 10,
    maximumRetryAttempts: 2,
    pollMs: 20,
    handler: async (event) => {
      const ids = idsOf(event);
      calls.push(ids);
      if (ids.includes("3")) throw new Error("poison");
      for (const id of ids) handled.add(id);
      return { batchItemFailures: [] };
    },
  });
  // Not outbox items, or not inserts: the filter keeps them from the function.
  await db.send(new PutCommand({ TableName, Item: { PK: "ORDER#x", SK: "ORDER", type: "order" } }));
  for (const n of ["1", "2", "3", "4"]) await putOutbox(TableName, n);
  await db.send(
    new UpdateCommand({
      TableName,
      Key: { PK: "ORDER#x", SK: "OUTBOX#1" },
      UpdateExpression: "SET seen = :t",
      ExpressionAttributeValues: { ":t": true },
    }),
  );

  await source.drain();

  expect([...handled].sort()).toEqual(["1", "2", "4"]);
  expect(source.failed.map((r) => r.dynamodb?.NewImage?.SK)).toEqual([{ S: "OUTBOX#3" }]);
  // The record alone was tried 1 + 2 times; nothing else was delivered alone with it.
  expect(calls.filter((c) => c.length === 1 && c[0] === "3")).toHaveLength(3);
  expect(calls.flat().filter((id) => id === "1").length).toBeGreaterThanOrEqual(1);
});

test("reported failures: delivery restarts at the first failed record, the ones before it are not sent again", async () => {
  const TableName = await table();
  const calls: Batch[] = [];
  let failOnce = true;
  source = startStreamSource({
    dynamoEndpoint: endpoint,
    tableName: TableName,
    functionName: "publishEvents",
    batchSize: 10,
    maximumRetryAttempts: 2,
    pollMs: 20,
    handler: async (event) => {
      calls.push(idsOf(event));
      const failed = failOnce
        ? (event as { Records: any[] }).Records.filter((r) => r.dynamodb.NewImage.SK.S === "OUTBOX#b")
        : [];
      failOnce = false;
      return { batchItemFailures: failed.map((r: any) => ({ itemIdentifier: r.dynamodb.SequenceNumber })) };
    },
  });
  // Written before the first poll finds them, so they arrive in one batch.
  await source.stop();
  for (const n of ["a", "b", "c"]) await putOutbox(TableName, n);
  source.start();

  await source.drain();

  expect(calls).toEqual([
    ["a", "b", "c"],
    ["b", "c"],
  ]);
  expect(source.failed).toEqual([]);
});
