/**
 * The recording proxy: the fuzzer's write check counts writes that took effect
 * and nothing else, so "a refused request wrote to the table" can both fire
 * and stay quiet for the right reasons; the round-trip tests read its calls.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { type DynamoRecorder, startDynamoRecorder } from "../../chaos/dynamo-recorder.js";
import { createDocumentClient } from "../../lib/store/dynamo-client.js";
import { createTable } from "../../local/dynamodb/create-table.js";

let recorder: DynamoRecorder;
const table = `write-recorder-${process.pid}-${Date.now()}`;
beforeAll(async () => {
  recorder = await startDynamoRecorder(inject("dynamoEndpoint"));
  await createTable(recorder.endpoint, table);
});
afterAll(async () => recorder?.close());

test("counts puts, updates and transactions that took effect, not reads or refused conditional writes", async () => {
  const db = createDocumentClient({ region: "ap-northeast-2", endpoint: recorder.endpoint });
  recorder.reset();
  const start = recorder.writes();
  await db.send(new PutCommand({ TableName: table, Item: { PK: "A", SK: "1" } }));
  expect(recorder.writes() - start).toBe(1);

  await db.send(new GetCommand({ TableName: table, Key: { PK: "A", SK: "1" } }));
  expect(recorder.writes() - start).toBe(1);

  await expect(
    db.send(
      new PutCommand({
        TableName: table,
        Item: { PK: "A", SK: "1" },
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    ),
  ).rejects.toThrow();
  expect(recorder.writes() - start).toBe(1);

  await db.send(
    new UpdateCommand({
      TableName: table,
      Key: { PK: "A", SK: "1" },
      UpdateExpression: "SET n = :n",
      ExpressionAttributeValues: { ":n": 1 },
    }),
  );
  await db.send(
    new TransactWriteCommand({
      TransactItems: [{ Put: { TableName: table, Item: { PK: "B", SK: "1" } } }],
    }),
  );
  expect(recorder.writes() - start).toBe(3);
  expect(recorder.calls()).toEqual(["PutItem", "GetItem", "PutItem", "UpdateItem", "TransactWriteItems"]);
  expect(recorder.detailed()[4]).toBe("TransactWriteItems");
});
