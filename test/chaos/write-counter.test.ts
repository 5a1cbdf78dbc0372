/**
 * The fuzzer's write check: the proxy counts writes that took effect and
 * nothing else, so "a refused request wrote to the table" can both fire and
 * stay quiet for the right reasons.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { startWriteCounter, type WriteCounter } from "../../chaos/fuzz/write-counter.js";
import { createDocumentClient } from "../../lib/store/dynamo-client.js";
import { createTable } from "../../local/dynamodb/create-table.js";

let counter: WriteCounter;
const table = `write-counter-${process.pid}-${Date.now()}`;
beforeAll(async () => {
  counter = await startWriteCounter(inject("dynamoEndpoint"));
  await createTable(counter.endpoint, table);
});
afterAll(async () => counter?.close());

test("counts puts, updates and transactions that took effect, not reads or refused conditional writes", async () => {
  const db = createDocumentClient({ region: "ap-northeast-2", endpoint: counter.endpoint });
  const start = counter.writes();
  await db.send(new PutCommand({ TableName: table, Item: { PK: "A", SK: "1" } }));
  expect(counter.writes() - start).toBe(1);

  await db.send(new GetCommand({ TableName: table, Key: { PK: "A", SK: "1" } }));
  expect(counter.writes() - start).toBe(1);

  await expect(
    db.send(
      new PutCommand({
        TableName: table,
        Item: { PK: "A", SK: "1" },
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    ),
  ).rejects.toThrow();
  expect(counter.writes() - start).toBe(1);

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
  expect(counter.writes() - start).toBe(3);
});
