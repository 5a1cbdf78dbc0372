/**
 * Review of the console-refund recording (record-charge-cancel.ts) and the kept-charge audit: the
 * webhook, the ledger sweep and the audit racing on one cancel publish one event; our own refunds
 * (a second payment, a late payment) are never reported as console refunds; a canceled subscription
 * still reports; a full refund leaves the kept-charge index; a stale audit mark loses to a recorded cancel.
 */
import { afterEach, expect, test } from "vitest";
import type { ChargeAttempt } from "../../../../lib/billing/charge-attempt.js";
import { applyChargePayment } from "../../../../lib/billing/settlement/index.js";
import { auditKeptCharges } from "../../../../lib/billing/use-cases/audit-kept-charges.js";
import { parseConfig } from "../../../../lib/config.js";
import { sweepLedger } from "../../../../lib/ledger/sweep-ledger.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import type { SandboxModes } from "../../../../sandbox/index.js";
import { type TestStack, useStack } from "../../../support/stack.js";
import { outboxItems } from "../../events/support.js";
import {
  chargeBehindOurBack,
  chargesOf,
  claimInFlight,
  control,
  DAY,
  dispatchAt,
  refusedFirstAttempt,
  settle,
  subscribed,
  tableItems,
  view,
} from "../support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });

let restore: SandboxModes | undefined;
afterEach(() => {
  if (restore) control(ctx()).setModes(restore);
  restore = undefined;
});

type OutboxEvent = { type: string; aggregate: { version: number }; data: Record<string, unknown> };

async function events(t: TestStack, id: string): Promise<OutboxEvent[]> {
  return (await outboxItems(t, `SUB#${id}`))
    .map((i) => i.event as OutboxEvent)
    .sort((a, b) => a.aggregate.version - b.aggregate.version);
}

async function refundEvents(t: TestStack, id: string) {
  return (await events(t, id)).filter((e) => e.type === "subscription.charge_refunded");
}

const depsAt = (t: TestStack, ahead: number) =>
  buildContainer(parseConfig(t.stack.env), { clock: () => new Date(Date.now() + ahead) });

async function sweep(t: TestStack, ahead = 120_000) {
  const summary = await sweepLedger(depsAt(t, ahead).sweepDeps);
  expect(summary.failed).toBe(0);
  return summary;
}

function audit(t: TestStack, ahead: number) {
  return auditKeptCharges(depsAt(t, ahead).chargeDeps, { max: 200, pageSize: 50 });
}

async function charged(t: TestStack) {
  const { id, customerUid } = await subscribed(t);
  const [charge] = chargesOf(t, customerUid);
  if (!charge) throw new Error("the first cycle was not charged");
  return { id, customerUid, impUid: charge.imp_uid, amount: charge.amount };
}

async function attemptItem(t: TestStack, id: string, cycle = 1, attempt = 1) {
  const item = (await tableItems(t)).find(
    (i) =>
      i.type === "charge_attempt" && i.subscriptionId === id && i.cycle === cycle && i.attempt === attempt,
  );
  if (!item) throw new Error(`no attempt ${id}_${cycle}_${attempt}`);
  return item;
}

test("webhook, sweep, audit and direct applies race on one lost-webhook cancel: one event, recorded once", async () => {
  const t = ctx();
  restore = control(t).modes();
  control(t).setModes({ partialCancel: "stays-paid" });
  const { id, impUid, amount } = await charged(t);
  control(t).setWebhookFault({ kind: "drop", times: 1 });
  control(t).cancelFromConsole(impUid, { amount: 2_500, reason: "부분 환불" });
  await control(t).flushWebhooks();

  const deps = depsAt(t, DAY + 60_000).chargeDeps;
  const stale = await deps.subscriptions.getAttempt(id, 1, 1);
  if (!stale) throw new Error("no attempt");
  const payment = await deps.iamport.getPayment(impUid);
  const results = await Promise.all([
    applyChargePayment(deps, stale, payment, "webhook", deps.logger),
    applyChargePayment(deps, stale, payment, "lookup", deps.logger),
    applyChargePayment(deps, stale, payment, "lookup", deps.logger),
    t.api("/webhooks/iamport", {
      body: { imp_uid: impUid, merchant_uid: `${id}_1_1`, status: "cancelled" },
      key: null,
    }),
    sweep(t),
    audit(t, DAY + 60_000),
  ]);

  const applied = results.slice(0, 3).filter((r) => (r as { outcome: string }).outcome === "applied");
  expect(applied.length).toBeLessThanOrEqual(1);
  expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: 2_500 });
  expect((await refundEvents(t, id)).map((e) => [e.data.refund_amount, e.data.remaining_amount])).toEqual([
    [2_500, amount - 2_500],
  ]);
  // Later runs find it recorded.
  await sweep(t);
  expect((await audit(t, 3 * DAY)).recorded).toBe(0);
  expect(await refundEvents(t, id)).toHaveLength(1);
});

test("a full refund takes the attempt off the kept-charge index; the audit never reads it again", async () => {
  const t = ctx();
  const { id, impUid, amount } = await charged(t);
  expect(await attemptItem(t, id)).toMatchObject({ GSI1PK: expect.stringMatching(/^KEPT#/) });

  control(t).cancelFromConsole(impUid, { reason: "전액 환불" });
  await settle(t);

  const item = await attemptItem(t, id);
  expect(item.GSI1PK).toBeUndefined();
  expect(item.cancelled).toMatchObject({ amount });
  // A stale audit mark (the version before the refund) loses and puts nothing back on the index.
  const deps = depsAt(t, DAY).chargeDeps;
  const stale = item as unknown as ChargeAttempt;
  expect(
    await deps.subscriptions.markAttemptAudited(
      { ...stale, version: stale.version - 1, cancelled: undefined },
      new Date(Date.now() + DAY).toISOString(),
    ),
  ).toBe(false);
  expect((await attemptItem(t, id)).GSI1PK).toBeUndefined();
  expect(await refundEvents(t, id)).toHaveLength(1);
  await sweep(t);
  await audit(t, 2 * DAY);
  expect(await refundEvents(t, id)).toHaveLength(1);
});

test("an audit mark made on the version before a recorded partial cancel loses; the record's index stands", async () => {
  const t = ctx();
  restore = control(t).modes();
  control(t).setModes({ partialCancel: "stays-paid" });
  const { id, impUid } = await charged(t);
  const deps = depsAt(t, DAY + 60_000).chargeDeps;
  const before = await deps.subscriptions.getAttempt(id, 1, 1);
  if (!before) throw new Error("no attempt");

  control(t).cancelFromConsole(impUid, { amount: 1_000, reason: "부분 환불" });
  await settle(t);
  const recorded = await attemptItem(t, id);
  expect(recorded.cancelled).toMatchObject({ amount: 1_000 });

  const far = new Date(Date.now() + 30 * DAY).toISOString();
  expect(await deps.subscriptions.markAttemptAudited(before, far)).toBe(false);
  const after = await attemptItem(t, id);
  expect(after.auditAfter).toBeUndefined();
  expect(after.GSI1PK).toMatch(/^KEPT#/);
  expect(after.GSI1SK).toBe(new Date(Date.parse(String(recorded.updatedAt)) + DAY).toISOString());

  // A second partial cancel, webhook lost, is found by the next day's audit: a second event, not a third.
  control(t).setWebhookFault({ kind: "drop", times: 1 });
  control(t).cancelFromConsole(impUid, { amount: 500, reason: "부분 환불" });
  await control(t).flushWebhooks();
  expect((await audit(t, DAY + 120_000)).recorded).toBe(1);
  expect((await refundEvents(t, id)).map((e) => [e.data.refund_amount, e.data.refunded_amount])).toEqual([
    [1_000, 1_000],
    [500, 1_500],
  ]);
});

test("a canceled subscription's kept charge refunded at the console: recorded, one event, nothing else", async () => {
  const t = ctx();
  const { id, customerUid, impUid, amount } = await charged(t);
  const res = await t.api(`/subscriptions/${id}/cancel`, { body: { at: "now" } });
  expect(res.status).toBe(200);
  const before = (await events(t, id)).length;

  control(t).cancelFromConsole(impUid, { reason: "전액 환불" });
  await settle(t);
  await sweep(t);

  const after = (await events(t, id)).slice(before);
  expect(after.map((e) => e.type)).toEqual(["subscription.charge_refunded"]);
  expect(after[0]?.data).toMatchObject({ status: "canceled", refunded_amount: amount, remaining_amount: 0 });
  expect(await view(t, id)).toMatchObject({ status: "canceled" });
  expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: amount });
  expect(chargesOf(t, customerUid)).toHaveLength(1);
});

test("a cycle's charge refunded at the console after the next cycle was charged: the event names the old cycle", async () => {
  const t = ctx();
  const { id, customerUid, impUid, amount } = await charged(t);
  await dispatchAt(t, 32 * DAY);
  expect(chargesOf(t, customerUid)).toHaveLength(2);
  const { current_cycle } = await view(t, id);

  control(t).cancelFromConsole(impUid, { reason: "전액 환불" });
  await settle(t);

  const [event, ...more] = await refundEvents(t, id);
  expect(more).toEqual([]);
  expect(event?.data).toMatchObject({
    cycle: current_cycle,
    charge: { cycle: 1, attempt: 1, imp_uid: impUid, amount },
    remaining_amount: 0,
  });
  const cycles = (await view(t, id)).cycles;
  expect(cycles.find((c: { cycle: number }) => c.cycle === 1).attempts[0]).toMatchObject({
    refunded_amount: amount,
  });
  expect(cycles.find((c: { cycle: number }) => c.cycle === 2).attempts[0]).toMatchObject({
    refunded_amount: 0,
  });
});

test("our refund of a late payment (attempt settled as refused, the cycle paid by another) is never a console refund", async () => {
  const t = ctx();
  const { id, customerUid } = await refusedFirstAttempt(t);
  await dispatchAt(t, 61 * 60_000);
  expect((await view(t, id)).cycles[0].status).toBe("paid");
  const late = await chargeBehindOurBack(t, `${id}_1_1`, customerUid, `${t.stack.apiUrl}/webhooks/iamport`);
  await settle(t);
  expect(control(t).payment(late.imp_uid)).toMatchObject({ status: "cancelled", cancel_amount: 9_900 });

  await sweep(t);
  await audit(t, DAY + 2 * 60 * 60_000);
  await sweep(t, DAY);
  expect(await refundEvents(t, id)).toEqual([]);
  const attempts = (await view(t, id)).cycles[0].attempts;
  expect(attempts.map((a: { refunded_amount?: number }) => a.refunded_amount ?? 0)).toEqual([0, 0]);
});

test("an open attempt charged and partly refunded at the console before we settle: one sweep records both", async () => {
  const t = ctx();
  restore = control(t).modes();
  control(t).setModes({ partialCancel: "stays-paid" });
  const { id, customerUid } = await charged(t);
  await claimInFlight(t, { id, cycle: 2, attempt: 1, customerUid, at: new Date(Date.now() - 10 * 60_000) });
  const paid = await chargeBehindOurBack(t, `${id}_2_1`, customerUid);
  control(t).setWebhookFault({ kind: "drop", times: 5 });
  control(t).cancelFromConsole(paid.imp_uid, { amount: 1_000, reason: "부분 환불" });
  await control(t).flushWebhooks();

  await sweep(t);

  const cycle2 = (await view(t, id)).cycles.find((c: { cycle: number }) => c.cycle === 2);
  expect(cycle2?.attempts[0]).toMatchObject({
    status: "paid",
    imp_uid: paid.imp_uid,
    refunded_amount: 1_000,
  });
  expect((await refundEvents(t, id)).map((e) => e.data.refund_amount)).toEqual([1_000]);
});
