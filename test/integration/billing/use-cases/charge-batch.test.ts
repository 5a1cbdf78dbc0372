/**
 * One SQS batch of charge messages against its iamport cap: the batch works
 * on more records than it has iamport places (so a freed place is taken at
 * once), yet never has more calls in flight than `iamportCallsInFlight`, and
 * uses every place while records are left. Real use case, DynamoDB Local, the
 * sandbox (its `again` slowed so the calls overlap); counts, not timings.
 */
import { afterEach, expect, test } from "vitest";
import type { ChargeMessage } from "../../../../lib/billing/ports.js";
import { chargeBatch } from "../../../../lib/billing/use-cases/charge-batch.js";
import { dispatchCharges } from "../../../../lib/billing/use-cases/dispatch-charges.js";
import { parseConfig } from "../../../../lib/config.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import { useStack } from "../../../support/stack.js";
import { chargesOf, DAY, subscribed } from "../support.js";

const ctx = useStack();

afterEach(() => ctx().stack.sandbox?.control.clearFaults());

test("a batch of 12 with 3 iamport places: 3 `again` calls in flight at most and at some point, each charged once", async () => {
  // Arrange: 12 subscriptions whose cycle 2 is due a month from now, its messages held rather than sent.
  const t = ctx();
  const subs: Array<{ id: string; customerUid: string }> = [];
  for (let i = 0; i < 12; i++) subs.push(await subscribed(t));
  const container = buildContainer(parseConfig(t.stack.env), {
    clock: () => new Date(Date.now() + 32 * DAY),
  });
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
  const ours = held.filter((m) => subs.some((s) => s.id === m.subscriptionId));
  expect(ours).toHaveLength(12);
  t.stack.sandbox!.control.addFault({
    method: "POST",
    path: "/subscribe/payments/again",
    kind: "latency",
    ms: 150,
  });
  const { iamport } = container.chargeDeps;
  let inFlight = 0;
  let most = 0;
  const counted = {
    ...container.chargeDeps,
    iamport: {
      ...iamport,
      findPayment: iamport.findPayment.bind(iamport),
      getPayment: iamport.getPayment.bind(iamport),
      cancelPayment: iamport.cancelPayment.bind(iamport),
      chargeBillingKey: async (...args: Parameters<typeof iamport.chargeBillingKey>) => {
        most = Math.max(most, ++inFlight);
        try {
          return await iamport.chargeBillingKey(...args);
        } finally {
          inFlight--;
        }
      },
    },
  };

  // Act
  const { failed } = await chargeBatch(
    counted,
    ours.map((m, i) => ({ id: `m${i}`, body: JSON.stringify(m), receiveCount: 1 })),
    { iamportCallsInFlight: 3 },
  );

  // Assert
  expect(failed).toEqual([]);
  expect(most).toBe(3);
  for (const { customerUid } of subs)
    expect(chargesOf(t, customerUid).filter((p) => p.status === "paid")).toHaveLength(2);
});

test("the dispatcher writes the leases of a page of due subscriptions several at a time, at most 8, each once", async () => {
  // Arrange: 12 subscriptions whose cycle 2 is due a month from now.
  const t = ctx();
  const subs: Array<{ id: string }> = [];
  for (let i = 0; i < 12; i++) subs.push(await subscribed(t));
  const container = buildContainer(parseConfig(t.stack.env), {
    clock: () => new Date(Date.now() + 32 * DAY),
  });
  const { subscriptions } = container.dispatchDeps;
  let inFlight = 0;
  let most = 0;
  const leased: string[] = [];
  const counted = Object.create(subscriptions) as typeof subscriptions;
  counted.setCheckAfter = async (...args: Parameters<typeof subscriptions.setCheckAfter>) => {
    most = Math.max(most, ++inFlight);
    try {
      const result = await subscriptions.setCheckAfter(...args);
      leased.push(args[0].id);
      return result;
    } finally {
      inFlight--;
    }
  };

  // Act
  await dispatchCharges({
    ...container.dispatchDeps,
    subscriptions: counted,
    queue: { send: async () => ({ failed: [] }) },
  });

  // Assert
  expect(most).toBeGreaterThan(1);
  expect(most).toBeLessThanOrEqual(8);
  for (const { id } of subs) expect(leased.filter((l) => l === id)).toHaveLength(1);
});
