/**
 * A conditional write that loses its race answers with what it lost to, read
 * in the same round trip (`ReturnValuesOnConditionCheckFailure: ALL_OLD`)
 * instead of a second read after it: the order, refund request, cancellation
 * claim and refund owed repositories, each write counted through the
 * recording proxy (the billing ones are in test/integration/billing).
 */
import { expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { newOwedRefund, type OwedRefund } from "../../../lib/ledger/owed-refund.js";
import type { Order } from "../../../lib/orders/order.js";
import type { RefundRequestRecord } from "../../../lib/orders/refund.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { measure, useRoundTripStack } from "../../support/round-trips.js";
import { type TestStack, uid } from "../../support/stack.js";

const ctx = useRoundTripStack();

/** The repositories as the Lambdas build them, talking to DynamoDB through the recorder. */
function repositories(t: TestStack) {
  const container = buildContainer(parseConfig(t.stack.env));
  return {
    orders: container.orders,
    owedRefunds: container.verifyDeps.owedRefunds,
    refunds: container.refundDeps.refunds,
  };
}

async function storedOrder(t: TestStack): Promise<Order> {
  const answer = await t.createOrder({ merchant_uid: uid("race") });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  const order = await repositories(t).orders.get(answer.body.merchant_uid);
  if (!order) throw new Error("order not stored");
  return order;
}

const bumped = (order: Order, by: string): Order => ({
  ...order,
  version: order.version + 1,
  updatedAt: new Date(Date.parse(order.updatedAt) + 1000).toISOString(),
  checkAfter: by,
});

test("creating an order that exists: the existing one comes back from the write itself", async () => {
  const t = ctx();
  const { orders } = repositories(t);
  const existing = await storedOrder(t);
  const m = await measure(t, () =>
    orders.create(
      { ...existing, amount: existing.amount + 1, version: 1 },
      {
        version: 1,
        at: existing.createdAt,
        from: null,
        to: "pending",
        source: "api",
        reason: "created",
      },
    ),
  );
  expect(m.value).toEqual({ created: false, existing });
  expect(m.dynamo).toEqual(["TransactWriteItems"]);
});

test("saving an order someone else saved first: the winner comes back from the write itself", async () => {
  const t = ctx();
  const { orders } = repositories(t);
  const order = await storedOrder(t);
  const winner = bumped(order, "2030-01-01T00:00:00.000Z");
  expect(await orders.save(order, winner)).toEqual({ saved: true });
  const stored = await orders.get(order.merchantUid);

  const alone = await measure(t, () => orders.save(order, bumped(order, "2031-01-01T00:00:00.000Z")));
  expect(alone.value).toEqual({ saved: false, current: stored });
  expect(alone.dynamo).toEqual(["PutItem"]);

  const withEvent = await measure(t, () =>
    orders.save(order, bumped(order, "2031-01-01T00:00:00.000Z"), {
      version: order.version + 1,
      at: winner.updatedAt,
      from: order.status,
      to: order.status,
      source: "reconciler",
      reason: "flagged",
    }),
  );
  expect(withEvent.value).toEqual({ saved: false, current: stored });
  expect(withEvent.dynamo).toEqual(["TransactWriteItems"]);
  expect(await orders.get(order.merchantUid)).toEqual(stored);
});

function request(order: Order, key: string, at: string): RefundRequestRecord {
  return {
    merchantUid: order.merchantUid,
    idempotencyKey: key,
    requestHash: "h".repeat(64),
    state: "in_progress",
    attempt: 1,
    leaseUntil: "2099-01-01T00:00:00.000Z",
    plan: {
      impUid: "imp_race",
      amount: order.amount,
      taxFree: 0,
      sendTaxFree: false,
      checksum: order.amount,
      reason: "race",
    },
    createdAt: at,
    updatedAt: at,
  };
}

test("a refund request whose key is taken, or that moved on: the stored request comes back from the write itself", async () => {
  const t = ctx();
  const { refunds } = repositories(t);
  const order = await storedOrder(t);
  const key = uid("key");
  const first = request(order, key, "2026-01-01T00:00:00.000Z");
  expect(await refunds.claim(first)).toEqual({ claimed: true });

  const claim = await measure(t, () => refunds.claim(request(order, key, "2026-01-02T00:00:00.000Z")));
  expect(claim.value).toEqual({ claimed: false, existing: first });
  expect(claim.dynamo).toEqual(["PutItem"]);

  const takenOver = { ...first, attempt: 2, updatedAt: "2026-01-03T00:00:00.000Z" };
  expect(await refunds.update(first, takenOver)).toEqual({ saved: true });
  const update = await measure(t, () => refunds.update(first, { ...first, state: "refused" }));
  expect(update.value).toEqual({ saved: false, current: takenOver });
  expect(update.dynamo).toEqual(["PutItem"]);
});

test("a cancellation another request claimed: its owner comes back from the write itself", async () => {
  const t = ctx();
  const { refunds } = repositories(t);
  const order = await storedOrder(t);
  const cancellation = uid("cancel");
  expect(await refunds.claimCancellation(order.merchantUid, cancellation, "key-a")).toBe("key-a");
  const m = await measure(t, () => refunds.claimCancellation(order.merchantUid, cancellation, "key-b"));
  expect(m.value).toBe("key-a");
  expect(m.dynamo).toEqual(["PutItem"]);
});

test("a refund owed decided twice, or changed by another executor: the stored one comes back from the write itself", async () => {
  const t = ctx();
  const { owedRefunds } = repositories(t);
  const order = await storedOrder(t);
  const owed: OwedRefund = newOwedRefund(
    {
      impUid: uid("imp"),
      merchantUid: order.merchantUid,
      owner: { kind: "order", merchantUid: order.merchantUid },
      reason: "orphan",
      alert: "orphan_payment_refunded",
      detail: "a race test",
      payment: { amount: 1000, cancel_amount: 0, pay_method: "card" },
    },
    new Date("2026-01-01T00:00:00.000Z"),
  );
  expect(await owedRefunds.putIfAbsent(owed)).toEqual({ created: true });

  const again = await measure(t, () => owedRefunds.putIfAbsent({ ...owed, detail: "the second decider" }));
  expect(again.value).toEqual({ created: false, existing: owed });
  expect(again.dynamo).toEqual(["TransactWriteItems"]);

  const leased = { ...owed, version: 2, checkAfter: "2026-01-01T00:05:00.000Z" };
  expect(await owedRefunds.update(owed, leased)).toEqual({ saved: true });
  const stale = await measure(t, () =>
    owedRefunds.update(owed, { ...owed, version: 2, checkAfter: "2026-01-02T00:00:00.000Z" }),
  );
  expect(stale.value).toEqual({ saved: false, current: leased });
  expect(stale.dynamo).toEqual(["PutItem"]);
});
