/**
 * Round trips of the charge worker, warm container and token cached: DynamoDB
 * requests (a recording proxy in front of DynamoDB Local) and iamport
 * requests (the sandbox's own count), through the deployed
 * `chargeSubscription` handler with one SQS record. They are deterministic,
 * so a path that starts making one more fails here (the table is in
 * docs/architecture.md, "Charging a cycle").
 */
import { randomUUID } from "node:crypto";
import { beforeAll, expect, test } from "vitest";
import type { ChargeMessage } from "../../../lib/billing/ports.js";
import { dispatchCharges } from "../../../lib/billing/use-cases/dispatch-charges.js";
import { parseConfig } from "../../../lib/config.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { lambdaContext } from "../../../local/lambda-context.js";
import { measure, useRoundTripStack } from "../../support/round-trips.js";
import type { TestStack } from "../../support/stack.js";
import { chargesOf, claimInFlight, DAY, subscribed } from "./support.js";

// Only the worker's calls are counted: no webhooks.
const ctx = useRoundTripStack();

/** The deployed consumer, handed one record as Lambda's SQS event source would. */
async function deliver(t: TestStack, message: ChargeMessage, receiveCount = 1) {
  const fn = t.stack.functions.find((f) => f.name === "chargeSubscription");
  if (!fn) throw new Error("serverless.yml has no chargeSubscription function");
  const event = {
    Records: [
      {
        messageId: randomUUID(),
        body: JSON.stringify(message),
        attributes: { ApproximateReceiveCount: String(receiveCount) },
      },
    ],
  };
  return (await fn.handler(event, lambdaContext("chargeSubscription", 60_000))) as {
    batchItemFailures: Array<{ itemIdentifier: string }>;
  };
}

/** A subscription whose cycle 2 is due: the dispatcher's message for it, held instead of sent. */
async function dueCycle(t: TestStack) {
  const sub = await subscribed(t);
  const config = parseConfig(t.stack.env);
  const container = buildContainer(config, { clock: () => new Date(Date.now() + 32 * DAY) });
  const held: ChargeMessage[] = [];
  await dispatchCharges({
    ...container.dispatchDeps,
    queue: {
      send: async (messages) => {
        held.push(...messages);
        return { failed: [] };
      },
    },
  });
  const message = held.find((m) => m.subscriptionId === sub.id);
  if (!message) throw new Error(`cycle 2 of ${sub.id} was not dispatched`);
  return { ...sub, message };
}

let due: Awaited<ReturnType<typeof dueCycle>>;
beforeAll(async () => {
  due = await dueCycle(ctx()); // also the warm-up: the token is cached before anything is counted
});

test("one charge in the worker: the subscription and attempt in one read, the claim, the settle, and again", async () => {
  const t = ctx();
  const m = await measure(t, () => deliver(t, due.message));
  expect(m.value.batchItemFailures).toEqual([]);
  expect(chargesOf(t, due.customerUid)).toHaveLength(2);
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({
    dynamo: ["TransactGetItems", "TransactWriteItems", "TransactWriteItems"],
    iamport: 1,
  });
});

test("a redelivered charge message (the attempt paid): one read of both, one of the refund owed, nothing sent", async () => {
  const t = ctx();
  const m = await measure(t, () => deliver(t, due.message, 2));
  expect(m.value.batchItemFailures).toEqual([]);
  expect(chargesOf(t, due.customerUid)).toHaveLength(2);
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({
    dynamo: ["TransactGetItems", "GetItem"],
    iamport: 0,
  });
});

test("a duplicate while another worker holds the claim: one read, back to the queue", async () => {
  const t = ctx();
  const sub = await subscribed(t);
  await claimInFlight(t, { id: sub.id, cycle: 2, attempt: 1, customerUid: sub.customerUid });
  // The subscription as the claim left it (unchanged): cycle 2 attempt 1 is what it waits on.
  const m = await measure(t, () => deliver(t, { subscriptionId: sub.id, cycle: 2, attempt: 1 }));
  expect(m.value.batchItemFailures).toHaveLength(1);
  expect({ dynamo: m.dynamo, iamport: m.iamport }).toEqual({ dynamo: ["TransactGetItems"], iamport: 0 });
});

test("a claim that finds the attempt there reads it in the same round trip (ALL_OLD), not in a second read", async () => {
  const t = ctx();
  const sub = await subscribed(t);
  const { subscriptions } = buildContainer(parseConfig(t.stack.env));
  const current = await subscriptions.get(sub.id);
  if (!current) throw new Error("no subscription");
  const winner = await claimInFlight(t, { id: sub.id, cycle: 2, attempt: 1, customerUid: sub.customerUid });
  const m = await measure(t, () =>
    subscriptions.claim(current, { ...winner, claimedAt: new Date(0).toISOString() }),
  );
  expect(m.value).toEqual({ claimed: false, existing: winner });
  expect(m.dynamo).toEqual(["TransactWriteItems"]);
});
