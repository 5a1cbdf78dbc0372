/**
 * The public doors under a flood: anyone who knows a merchant_uid and its
 * imp_uid can call them as often as they like. What they send is stored once
 * per (source, imp_uid, status), every stored field is capped, an order holds a
 * bounded number of notes, and reading the order does not read them all.
 * Real handlers, DynamoDB Local and the sandbox over HTTP.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { createDocumentClient } from "../../../lib/store/dynamo-client.js";
import { createOrdersRepository } from "../../../lib/store/orders-repository.js";
import { type TestStack, useStack } from "../../support/stack.js";

const ctx = useStack();

function tableOf(t: TestStack) {
  const config = parseConfig(t.stack.env);
  const db = createDocumentClient({
    region: config.AWS_REGION,
    ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
  });
  return { db, tableName: config.TABLE_NAME };
}

/** Every item of the order's partition (a test may read them all; the API must not). */
async function partition(t: TestStack, merchantUid: string) {
  const { db, tableName } = tableOf(t);
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": `ORDER#${merchantUid}` },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((page.Items ?? []) as Record<string, unknown>[]));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

const notesOf = async (t: TestStack, merchantUid: string) =>
  (await partition(t, merchantUid)).filter((item) => item.type === "notification");

/**
 * Items DynamoDB read to build the merchant's order view, through the same repository the
 * `GET /orders/{merchant_uid}` handler uses, on a client that counts what each call scanned.
 */
async function itemsReadForOrderView(t: TestStack, merchantUid: string): Promise<number> {
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
  const found = await createOrdersRepository({ db, tableName }).getWithHistory(merchantUid);
  expect(found?.order.merchantUid).toBe(merchantUid);
  return read;
}

async function paidOrder(t: TestStack) {
  const created = await t.createOrder();
  expect(created.status).toBe(201);
  const rsp = t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "approve" });
  const merchantUid = created.body.merchant_uid as string;
  const impUid = rsp.imp_uid as string;
  await t.stack.sandbox!.control.flushWebhooks();
  const first = await t.api("/payments/complete", {
    body: { imp_uid: impUid, merchant_uid: merchantUid },
    key: null,
  });
  expect(first.body.status).toBe("paid");
  return { merchantUid, impUid };
}

/** Runs `count` requests, `width` at a time. */
async function flood(count: number, width: number, request: (i: number) => Promise<{ status: number }>) {
  const statuses: number[] = [];
  for (let start = 0; start < count; start += width) {
    const batch = Array.from({ length: Math.min(width, count - start) }, (_, k) => request(start + k));
    statuses.push(...(await Promise.all(batch)).map((res) => res.status));
  }
  return statuses;
}

async function timeOrderRead(t: TestStack, merchantUid: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    expect((await t.api(`/orders/${merchantUid}`)).status).toBe(200);
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b)[3] ?? Number.NaN;
}

describe("a flood of notifications for one real order", () => {
  test("400 requests through the three doors do not grow what GET /orders/{merchant_uid} reads", async () => {
    const t = ctx();
    const { merchantUid, impUid } = await paidOrder(t);
    const readBefore = await itemsReadForOrderView(t, merchantUid);
    const msBefore = await timeOrderRead(t, merchantUid);

    const statuses = await flood(400, 8, (i) => {
      switch (i % 4) {
        case 0:
          return t.api("/payments/complete", {
            body: { imp_uid: impUid, merchant_uid: merchantUid },
            key: null,
          });
        case 1:
          return t.api("/webhooks/iamport", {
            body: { imp_uid: impUid, merchant_uid: merchantUid, status: "paid" },
            key: null,
          });
        case 2:
          // A status nobody at iamport sends, different every time: still one note per kind.
          return t.api("/webhooks/iamport", {
            body: { imp_uid: impUid, merchant_uid: merchantUid, status: `made-up-${i}` },
            key: null,
          });
        default:
          return t.api(
            `/payments/complete/mobile?imp_uid=${impUid}&merchant_uid=${merchantUid}&error_msg=${"x".repeat(2_000)}${i}`,
            { key: null },
          );
      }
    });

    expect(new Set(statuses)).toEqual(new Set([200, 302]));
    const readAfter = await itemsReadForOrderView(t, merchantUid);
    const msAfter = await timeOrderRead(t, merchantUid);
    console.info(
      `GET /orders after 400 notifications: items read ${readBefore} → ${readAfter}, median ${msBefore.toFixed(1)} → ${msAfter.toFixed(1)} ms`,
    );
    expect(readAfter).toBe(readBefore);
    // Identical notifications are stored once: callback/paid, webhook/paid, webhook/other, redirect/paid.
    const notes = await notesOf(t, merchantUid);
    expect(notes.map((note) => `${note.source}/${note.status}`).sort()).toEqual([
      "callback/paid",
      "redirect/paid",
      "webhook/other",
      "webhook/paid",
    ]);
  }, 120_000);

  test("every stored field is capped: a 1,000-character error_msg is kept as its first 500", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const rsp = t.stack.sandbox!.control.pay({ ...created.body.request_pay, outcome: "close" });
    const longMessage = "가".repeat(1_000);

    const res = await t.api(
      `/payments/complete/mobile?imp_uid=${rsp.imp_uid}&merchant_uid=${merchantUid}&error_code=${"E".repeat(600)}&error_msg=${encodeURIComponent(longMessage)}`,
      { key: null },
    );

    expect(res.status).toBe(302);
    const [note] = await notesOf(t, merchantUid);
    const body = note?.body as Record<string, string>;
    expect(body.error_msg?.length).toBeLessThanOrEqual(501);
    expect(body.error_msg?.startsWith("가".repeat(500))).toBe(true);
    expect(body.error_code?.length).toBeLessThanOrEqual(501);
  });

  test("an order holds at most 50 notes, however many different imp_uids a flood names while iamport is down", async () => {
    const t = ctx();
    const created = await t.createOrder();
    const merchantUid = created.body.merchant_uid as string;
    const control = t.stack.sandbox!.control;
    // While iamport cannot be read, what arrives is kept unverified (invariant 5): the stranger's guesses too.
    control.addFault({ path: "/payments/:imp_uid", kind: "status", status: 503 });
    try {
      const statuses = await flood(80, 8, (i) =>
        t.api("/webhooks/iamport", {
          body: { imp_uid: `imp_guess${i}`, merchant_uid: merchantUid, status: "paid" },
          key: null,
        }),
      );
      expect(new Set(statuses)).toEqual(new Set([503]));
    } finally {
      control.clearFaults();
    }

    expect((await notesOf(t, merchantUid)).length).toBe(50);
    // The notes are read page by page, never all at once.
    const { db, tableName } = tableOf(t);
    const repository = createOrdersRepository({ db, tableName });
    const pages: number[] = [];
    const seen = new Set<string>();
    let after: string | undefined;
    do {
      const page = await repository.listNotifications(merchantUid, {
        limit: 20,
        ...(after ? { after } : {}),
      });
      pages.push(page.notes.length);
      for (const note of page.notes) seen.add(note.impUid);
      after = page.next ?? undefined;
    } while (after);
    expect(pages.slice(0, 3)).toEqual([20, 20, 10]);
    expect(seen.size).toBe(50);
    expect((await t.api(`/orders/${merchantUid}`)).body.status).toBe("pending");
  }, 60_000);
});
