/**
 * Round trips of the order paths, warm container and token cached: DynamoDB
 * requests (a recording proxy in front of DynamoDB Local) and iamport
 * requests (the sandbox's own count), per operation. They are deterministic,
 * so a path that starts making one more fails here; each test says what the
 * minimum would be. Webhooks are off (no notice_url, the sandbox's own URL
 * goes nowhere), so nothing arrives behind a test's back.
 */
import { expect, test } from "vitest";
import { measure as measureInOrder, useRoundTripStack } from "../../support/round-trips.js";
import { type TestStack, uid } from "../../support/stack.js";

const ctx = useRoundTripStack();

/** Sorted: a note and the order are written at once, so their arrival order varies. */
async function measure<T>(t: TestStack, work: () => Promise<T>) {
  const m = await measureInOrder(t, work);
  return { ...m, dynamo: [...m.dynamo].sort() };
}

async function created(t: TestStack) {
  const answer = await t.createOrder();
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { merchant_uid: string; request_pay: Record<string, unknown> };
}

function pay(t: TestStack, order: { request_pay: Record<string, unknown> }): string {
  const rsp = t.stack.sandbox?.control.pay({ ...order.request_pay, outcome: "approve" } as never);
  if (!rsp?.imp_uid) throw new Error("not paid");
  return rsp.imp_uid;
}

const complete = (t: TestStack, impUid: string, merchantUid: string) =>
  t.api("/payments/complete", { body: { imp_uid: impUid, merchant_uid: merchantUid }, key: null });
const webhook = (t: TestStack, impUid: string, merchantUid: string, status = "paid") =>
  t.api("/webhooks/iamport", { body: { imp_uid: impUid, merchant_uid: merchantUid, status }, key: null });

test("warm-up: the token is cached before anything is counted", async () => {
  const t = ctx();
  const order = await created(t);
  await complete(t, pay(t, order), order.merchant_uid);
});

test("create order: one write (the order and its first event) and one prepare", async () => {
  const t = ctx();
  const m = await measure(t, () => t.createOrder({ merchant_uid: uid("rt") }));
  expect(m.value.status).toBe(201);
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({ dynamo: ["TransactWriteItems"], iamport: 1 });
});

test("first completion of a paid payment: one read, one transaction (order, history, note), one iamport read", async () => {
  const t = ctx();
  const order = await created(t);
  const impUid = pay(t, order);
  const m = await measure(t, () => complete(t, impUid, order.merchant_uid));
  expect(m.value.status).toBe(200);
  // The note is written inside the order's own transaction.
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({
    dynamo: ["GetItem", "TransactWriteItems"],
    iamport: 1,
  });
});

test("first webhook of a paid payment: the order and its note read together, one transaction, one iamport read", async () => {
  const t = ctx();
  const order = await created(t);
  const impUid = pay(t, order);
  const m = await measure(t, () => webhook(t, impUid, order.merchant_uid));
  expect(m.value.status).toBe(200);
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({
    dynamo: ["BatchGetItem", "TransactWriteItems"],
    iamport: 1,
  });
});

test("the same webhook again for an order that payment already settled: one read (the order and its note), no iamport read", async () => {
  const t = ctx();
  const order = await created(t);
  const impUid = pay(t, order);
  expect((await complete(t, impUid, order.merchant_uid)).status).toBe(200);
  expect((await webhook(t, impUid, order.merchant_uid)).status).toBe(200);
  const m = await measure(t, () => webhook(t, impUid, order.merchant_uid));
  expect(m.value.status).toBe(200);
  // The note is found stored in the read itself, so nothing is written (2 → 1), and iamport could say
  // nothing new of the payment the order is paid by (1 → 0): a cancel announced as `paid` names its
  // cancellation_id, and that one is read (next test).
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({
    dynamo: ["BatchGetItem"],
    iamport: 0,
  });
});

test("a `paid` webhook that names a cancellation_id (a partial cancel announced as paid) still reads iamport", async () => {
  const t = ctx();
  const order = await created(t);
  const impUid = pay(t, order);
  expect((await complete(t, impUid, order.merchant_uid)).status).toBe(200);
  expect((await webhook(t, impUid, order.merchant_uid)).status).toBe(200);
  const m = await measure(t, () =>
    t.api("/webhooks/iamport", {
      body: { imp_uid: impUid, merchant_uid: order.merchant_uid, status: "paid", cancellation_id: "cncl_rt" },
      key: null,
    }),
  );
  expect(m.value.status).toBe(200);
  expect(m.iamport).toBe(1);
});

test("a hint that could change the state still reads iamport (cancelled for a paid order)", async () => {
  const t = ctx();
  const order = await created(t);
  const impUid = pay(t, order);
  expect((await complete(t, impUid, order.merchant_uid)).status).toBe(200);
  const m = await measure(t, () => webhook(t, impUid, order.merchant_uid, "cancelled"));
  expect(m.value.status).toBe(200);
  expect(m.iamport).toBe(1);
});

test("a full refund: the request and the order read together, the request's claim, the order's change, the result with its cancellation's claim", async () => {
  const t = ctx();
  const order = await created(t);
  const impUid = pay(t, order);
  expect((await complete(t, impUid, order.merchant_uid)).status).toBe(200);
  const m = await measure(t, () =>
    t.api(`/orders/${order.merchant_uid}/refunds`, {
      body: { reason: "rt" },
      headers: { "idempotency-key": uid("rt-key") },
    }),
  );
  expect(m.value.status, JSON.stringify(m.value.body)).toBe(201);
  // The cancel iamport just accepted is claimed without listing the other requests, in the write that
  // stores the result; the order the plan read is the one the result is applied to, and the request and
  // the order are one read (8 → 6 → 5 → 4).
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({
    dynamo: ["PutItem", "TransactGetItems", "TransactWriteItems", "TransactWriteItems"],
    iamport: 1,
  });
});
