/**
 * Plan changes through several cycles, against the real stack: the route,
 * DynamoDB Local, the charge queue and consumer, the sandbox's `again`. The
 * dispatcher runs with a clock ahead to reach later cycles; a change racing a
 * charge of the same cycle runs at the same moment against DynamoDB Local.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, test } from "vitest";
import { changeSubscriptionPlan } from "../../../../lib/billing/use-cases/change-plan.js";
import { parseConfig } from "../../../../lib/config.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import { type TestStack, useStack } from "../../../support/stack.js";
import {
  chargesOf,
  claimInFlight,
  control,
  DAY,
  dispatchAt,
  issueKey,
  settle,
  subscribe,
  subscribed,
  view,
} from "../support.js";

const ctx = useStack();

const basic = { name: "Basic plan", amount: 4_900 };

function changePlan(
  t: TestStack,
  id: string,
  body: Record<string, unknown>,
  key: string | null = randomUUID(),
) {
  return t.api(`/subscriptions/${id}/plan`, {
    body,
    headers: key === null ? {} : { "idempotency-key": key },
  });
}

/** The plan change use case with its clock `ms` ahead: the route as it would answer then. */
function changePlanAt(
  t: TestStack,
  ms: number,
  id: string,
  body: { name: string; amount: number; effective: "now" | "next_cycle" },
) {
  const deps = buildContainer(parseConfig(t.stack.env), { clock: () => new Date(Date.now() + ms) });
  return changeSubscriptionPlan(deps.subscriptionDeps, { id, body, idempotencyKey: randomUUID() });
}

/** The amounts iamport charged (paid) a key, in order of the cycle they paid. */
function paidAmounts(t: TestStack, customerUid: string) {
  return chargesOf(t, customerUid)
    .filter((p) => p.status === "paid")
    .sort((a, b) => a.merchant_uid.localeCompare(b.merchant_uid, "en", { numeric: true }))
    .map((p) => [p.merchant_uid.split("_").slice(2).join("_"), p.amount]);
}

describe("a plan change from the next cycle", () => {
  test("cycle 1 at the old plan, cycles 2 and 3 at the new one; the change is in the history", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);

    const res = await changePlan(t, id, { ...basic, effective: "next_cycle" });
    await dispatchAt(t, 32 * DAY);
    await dispatchAt(t, 63 * DAY);

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      plan: { name: "Basic plan", amount: 4_900, interval: "month" },
      pending_plan: null,
      current_cycle: 2,
    });
    expect(paidAmounts(t, customerUid)).toEqual([
      ["1_1", 9_900],
      ["2_1", 4_900],
      ["3_1", 4_900],
    ]);
    const after = await view(t, id);
    expect(after).toMatchObject({ current_cycle: 4, paid_cycles: 3, status: "active" });
    expect(after.history.filter((e: any) => e.plan_change)).toEqual([
      expect.objectContaining({
        source: "api",
        plan_change: {
          from: { name: "Pro plan", amount: 9_900 },
          to: { name: "Basic plan", amount: 4_900 },
          effective: "next_cycle",
          from_cycle: 2,
        },
      }),
    ]);
  });

  test("past due: the owed cycle is retried at the old amount, the new plan starts with the next cycle", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    control(t).addDecline({ customer_uid: customerUid, reason: "insufficient_balance" });
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;

    const res = await changePlan(t, id, { ...basic, effective: "next_cycle" });
    control(t).clearDeclines();
    await dispatchAt(t, DAY + 60_000);
    await dispatchAt(t, 33 * DAY);

    expect(res.body).toMatchObject({
      status: "past_due",
      plan: { amount: 9_900 },
      pending_plan: { name: "Basic plan", amount: 4_900, from_cycle: 2 },
    });
    expect(paidAmounts(t, customerUid)).toEqual([
      ["1_2", 9_900],
      ["2_1", 4_900],
    ]);
    expect(await view(t, id)).toMatchObject({
      plan: { amount: 4_900 },
      pending_plan: null,
      current_cycle: 3,
    });
  });
});

describe("a plan change now", () => {
  test("past due: the retry of the owed cycle charges the new amount, and so does every cycle after it", async () => {
    const t = ctx();
    const customerUid = await issueKey(t);
    control(t).addDecline({ customer_uid: customerUid, reason: "insufficient_balance" });
    const created = await subscribe(t, { customer_uid: customerUid });
    await settle(t);
    const id = created.body.id as string;

    const res = await changePlan(t, id, { ...basic, effective: "now" });
    control(t).clearDeclines();
    await dispatchAt(t, DAY + 60_000);
    await dispatchAt(t, 33 * DAY);

    expect(res.body).toMatchObject({ status: "past_due", plan: { amount: 4_900 }, pending_plan: null });
    expect(paidAmounts(t, customerUid)).toEqual([
      ["1_2", 4_900],
      ["2_1", 4_900],
    ]);
  });

  test("paused: the change is kept, and billing resumes at the new plan", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);

    await t.api(`/subscriptions/${id}/pause`, { body: {} });
    const res = await changePlan(t, id, { ...basic, effective: "now" });
    await t.api(`/subscriptions/${id}/resume`, { body: {} });
    await dispatchAt(t, 32 * DAY);

    expect(res.body).toMatchObject({ status: "paused", plan: { amount: 4_900 } });
    expect(paidAmounts(t, customerUid)).toEqual([
      ["1_1", 9_900],
      ["2_1", 4_900],
    ]);
  });
});

describe("a plan change racing the charge of a cycle (DynamoDB Local decides the order)", () => {
  test("from the next cycle, asked while cycle 2 is being charged: cycle 2 is charged once at the old amount, cycle 3 at the new", async () => {
    const t = ctx();
    const subs = await Promise.all([0, 1, 2, 3].map(() => subscribed(t)));

    // Cycle 2 falls due for both at once: the dispatcher queues it while the change is written.
    const [, changes] = await Promise.all([
      dispatchAt(t, 32 * DAY),
      Promise.all(subs.map(({ id }) => changePlanAt(t, 32 * DAY, id, { ...basic, effective: "next_cycle" }))),
    ]);
    await dispatchAt(t, 63 * DAY);

    expect(changes.every((c) => c.changed)).toBe(true);
    for (const { id, customerUid } of subs) {
      expect(paidAmounts(t, customerUid), id).toEqual([
        ["1_1", 9_900],
        ["2_1", 9_900],
        ["3_1", 4_900],
      ]);
      expect(await view(t, id)).toMatchObject({ current_cycle: 4, paid_cycles: 3, plan: { amount: 4_900 } });
    }
  });

  test("now, asked while cycle 2 is being charged: cycle 2 is charged once, at the amount its attempt was claimed with", async () => {
    const t = ctx();
    const subs = await Promise.all([0, 1, 2, 3].map(() => subscribed(t)));

    await Promise.all([
      dispatchAt(t, 32 * DAY),
      Promise.all(subs.map(({ id }) => changePlanAt(t, 32 * DAY, id, { ...basic, effective: "now" }))),
    ]);
    await dispatchAt(t, 63 * DAY);

    for (const { id, customerUid } of subs) {
      const sub = await view(t, id);
      const cycle2 = sub.cycles.find((c: any) => c.cycle === 2);
      const paid = cycle2.attempts.filter((a: any) => a.status === "paid");
      expect(paid, id).toHaveLength(1);
      const charged = paidAmounts(t, customerUid);
      expect(charged.map(([cycle]) => cycle)).toEqual(["1_1", "2_1", "3_1"]);
      // Whichever write came first, iamport charged exactly what the attempt was claimed with.
      expect(charged[1]?.[1]).toBe(paid[0].amount);
      expect([9_900, 4_900]).toContain(paid[0].amount);
      expect(charged[2]?.[1]).toBe(4_900);
      expect(sub).toMatchObject({ current_cycle: 4, paid_cycles: 3 });
    }
  });
});

describe("a plan change after a charge of the cycle was claimed (the claim first, for certain)", () => {
  test("the claimed attempt is finished at its own amount, once; the new plan starts with the cycle after it", async () => {
    const t = ctx();
    const { id, customerUid } = await subscribed(t);
    // Cycle 2's worker claimed its attempt at 9,900 and died before `again`: the claim is on the table.
    await claimInFlight(t, { id, cycle: 2, attempt: 1, customerUid, at: new Date(Date.now() - 10 * 60_000) });

    const res = await changePlan(t, id, { ...basic, effective: "now" });
    await dispatchAt(t, 32 * DAY);
    await dispatchAt(t, 63 * DAY);

    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(paidAmounts(t, customerUid)).toEqual([
      ["1_1", 9_900],
      ["2_1", 9_900],
      ["3_1", 4_900],
    ]);
    const after = await view(t, id);
    expect(after.cycles[1].attempts).toEqual([expect.objectContaining({ amount: 9_900, status: "paid" })]);
    expect(after).toMatchObject({ current_cycle: 4, paid_cycles: 3 });
  });
});

describe("the route's refusals and retries", () => {
  test("a retry with the same Idempotency-Key is not applied again, even after a later change; another body is 409", async () => {
    const t = ctx();
    const { id } = await subscribed(t);
    const key = randomUUID();

    const first = await changePlan(t, id, { ...basic, effective: "now" }, key);
    await changePlan(t, id, { name: "Team plan", amount: 29_000, effective: "now" });
    const retry = await changePlan(t, id, { ...basic, effective: "now" }, key);
    const reused = await changePlan(t, id, { ...basic, amount: 5_000, effective: "now" }, key);

    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body.plan).toMatchObject({ name: "Team plan", amount: 29_000 });
    expect(reused.status).toBe(409);
    expect(reused.body.error).toBe("idempotency_key_reused");
  });

  test("bad input is a 400 naming the field; a canceled subscription is 409; an unknown one 404", async () => {
    const t = ctx();
    const { id } = await subscribed(t);

    const cases: Array<[Record<string, unknown>, string | null, string]> = [
      [{ ...basic, effective: "now" }, null, "header.idempotency-key"],
      [{ ...basic, amount: 0, effective: "now" }, randomUUID(), "amount"],
      [{ ...basic, amount: "4900", effective: "now" }, randomUUID(), "amount"],
      [{ ...basic, name: " ", effective: "now" }, randomUUID(), "name"],
      [{ ...basic }, randomUUID(), "effective"],
      [{ ...basic, effective: "tomorrow" }, randomUUID(), "effective"],
      [{ ...basic, effective: "now", interval: "year" }, randomUUID(), "body"],
    ];
    for (const [body, key, field] of cases) {
      const res = await changePlan(t, id, body, key);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(
        res.body.issues.map((i: any) => i.field),
        JSON.stringify(res.body),
      ).toContain(field);
    }
    expect((await view(t, id)).plan.amount).toBe(9_900);

    await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } });
    const canceled = await changePlan(t, id, { ...basic, effective: "now" });
    const unknown = await changePlan(t, "sub_0000000000000000", { ...basic, effective: "now" });

    expect(canceled.status).toBe(409);
    expect(canceled.body.error).toBe("invalid_state");
    expect(unknown.status).toBe(404);
  });
});
