/**
 * The webhook door for a subscription charge under a flood: a note is stored
 * once per (imp_uid, status), capped per subscription, and reading the
 * subscription does not read them. Real handlers, DynamoDB Local, the sandbox.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../../lib/config.js";
import { createDocumentClient } from "../../../../lib/store/dynamo-client.js";
import { createSubscriptionsRepository } from "../../../../lib/store/subscriptions-repository.js";
import { type TestStack, useStack } from "../../../support/stack.js";
import { control, subscribed, view } from "../support.js";

const ctx = useStack();

function tableOf(t: TestStack) {
  const config = parseConfig(t.stack.env);
  const db = createDocumentClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  return { db, tableName: config.TABLE_NAME };
}

async function notes(t: TestStack, id: string) {
  const { db, tableName } = tableOf(t);
  const { Items } = await db.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :note)",
      ExpressionAttributeValues: { ":pk": `SUB#${id}`, ":note": "NOTE#" },
    }),
  );
  return Items ?? [];
}

/** Items read to build the merchant's subscription view (the repository GET /subscriptions/{id} uses). */
async function itemsRead(t: TestStack, id: string): Promise<number> {
  const { db, tableName } = tableOf(t);
  let read = 0;
  db.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const output = result.output as { ScannedCount?: number; Item?: unknown };
      read += output.ScannedCount ?? (output.Item ? 1 : 0);
      return result;
    },
    { step: "initialize", name: "countItemsRead" },
  );
  expect(await createSubscriptionsRepository({ db, tableName }).getDetails(id)).not.toBeNull();
  return read;
}

const webhook = (t: TestStack, body: Record<string, unknown>) =>
  t.api("/webhooks/iamport", { body, key: null });

describe("a flood of webhooks for one subscription charge", () => {
  test("200 webhooks store one note per status and do not grow what the subscription view reads", async () => {
    const t = ctx();
    const { id } = await subscribed(t);
    const attempt = (await view(t, id)).cycles[0].attempts[0];
    const before = await itemsRead(t, id);

    for (let start = 0; start < 200; start += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, k) =>
          webhook(t, {
            imp_uid: attempt.imp_uid,
            merchant_uid: attempt.merchant_uid,
            status: (start + k) % 2 === 0 ? "paid" : `made-up-${start + k}`,
          }),
        ),
      );
    }

    expect(await itemsRead(t, id)).toBe(before);
    expect((await notes(t, id)).map((note) => note.status).sort()).toEqual(["other", "paid"]);
  }, 60_000);

  test("guessed imp_uids under a real charge merchant_uid: at most 50 notes", async () => {
    const t = ctx();
    const { id } = await subscribed(t);
    const attempt = (await view(t, id)).cycles[0].attempts[0];

    for (let start = 0; start < 80; start += 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, k) =>
          webhook(t, {
            imp_uid: `imp_guess${start + k}`,
            merchant_uid: attempt.merchant_uid,
            status: "paid",
          }),
        ),
      );
    }

    expect((await notes(t, id)).length).toBeLessThanOrEqual(50);
    expect((await view(t, id)).status).toBe("active");
    expect(control(t).payments().length).toBeGreaterThan(0);
  }, 60_000);
});
