/**
 * The soak at CI size with a fresh seed each run (printed, so a failure can be
 * replayed with `npm run soak -- --seed <seed>`), and the audit's own check:
 * a payment planted behind our back is found.
 */
import { DeleteCommand, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { expect, test } from "vitest";
import { drawSandboxModes } from "../../chaos/soak/run-soak.js";
import { createDocumentClient } from "../../lib/store/dynamo-client.js";
import { expectBalancedBooks, soakAtCiSize } from "./soak-support.js";

test("the books balance with iamport's after a soak under chaos (random seed, modes drawn from it)", async () => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  process.stderr.write(`soak seed ${seed} (replay: npm run soak -- --seed ${seed} --sandbox-mode random)\n`);
  expectBalancedBooks(await soakAtCiSize(seed, { sandboxModes: drawSandboxModes(seed) }));
}, 400_000);

test("the audit is not blind: a payment nobody applied is counted as lost and named", async () => {
  let planted = "";
  const result = await soakAtCiSize(7, {
    subscriptions: 3,
    cycles: 1,
    orders: 10,
    faultRate: 0,
    consoleCancels: false,
    beforeAudit: async (world) => {
      // A buyer's order (not an orphan) whose payment, by any method, still holds money (a buyer's partial
      // refund may have taken some; which orders the buyers refund depends on how their days interleave).
      const paid = world.sandbox.control
        .payments()
        .find(
          (p) =>
            p.merchant_uid.startsWith("ord_") &&
            !p.merchant_uid.includes("orphan") &&
            p.status === "paid" &&
            p.amount > p.cancel_amount,
        );
      if (!paid)
        throw new Error(
          `the soak left no paid order: ${JSON.stringify(world.sandbox.control.payments().map((p) => [p.merchant_uid, p.status, p.pay_method, p.amount, p.cancel_amount]))}`,
        );
      const rsp = world.sandbox.control.pay({
        pg: "kicc",
        pay_method: "card",
        merchant_uid: paid.merchant_uid,
        amount: paid.amount,
        name: "planted",
        buyer_tel: "010-1234-5678",
        outcome: "approve",
        openedBeforePaid: true,
      });
      planted = paid.merchant_uid;
      expect(rsp.success).toBe(true);
    },
  });
  // Unknown to the order, and a second payment holding money beside the one it keeps.
  expect(result).toMatchObject({ lost_payments: 1, double_charges: 1 });
  expect(result.violations.map((v) => [v.kind, v.key]).sort()).toEqual([
    ["double_charges", planted],
    ["lost_payments", planted],
  ]);
}, 120_000);

test("the audit is not blind to events: one lost and one invented are counted and named", async () => {
  const planted: string[] = [];
  const result = await soakAtCiSize(8, {
    subscriptions: 3,
    cycles: 1,
    orders: 6,
    faultRate: 0,
    beforeAudit: async (world) => {
      const db = createDocumentClient({
        region: world.config.AWS_REGION,
        ...(world.config.DYNAMODB_ENDPOINT ? { endpoint: world.config.DYNAMODB_ENDPOINT } : {}),
      });
      const TableName = world.config.TABLE_NAME;
      const { Items = [] } = await db.send(
        new ScanCommand({
          TableName,
          FilterExpression: "#t = :o",
          ExpressionAttributeNames: { "#t": "type" },
          ExpressionAttributeValues: { ":o": "outbox" },
        }),
      );
      const paid = Items.find((i) => i.event.type === "order.paid");
      const created = Items.find((i) => i.event.type === "subscription.created");
      if (!paid || !created) throw new Error("the soak published no order.paid or subscription.created");
      // Lost: the paid order's event is gone. Invented: an event for a version no change wrote.
      await db.send(new DeleteCommand({ TableName, Key: { PK: paid.PK, SK: paid.SK } }));
      const event = {
        ...created.event,
        id: "evt_planted",
        type: "subscription.paused",
        aggregate: { ...created.event.aggregate, version: 999 },
      };
      await db.send(new PutCommand({ TableName, Item: { ...created, SK: "OUTBOX#evt_planted", event } }));
      planted.push(paid.event.aggregate.id, created.event.aggregate.id);
    },
  });
  expect(result.event_mismatches).toBe(2);
  expect(result.violations.map((v) => [v.kind, v.key]).sort()).toEqual(
    planted.map((key) => ["event_mismatches", key]).sort(),
  );
}, 120_000);
