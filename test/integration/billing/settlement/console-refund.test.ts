/**
 * A kept charge refunded at iamport's console (the merchant's only way to
 * refund a cycle): the attempt records what iamport cancelled and the
 * subscription publishes `subscription.charge_refunded` once per cancel,
 * whether the cancel's webhook arrives, arrives twice, or is lost (the ledger
 * sweep finds it; on a charge too old for the sweep's listings, the next
 * day's kept-charge audit does). The cycle stays paid; nothing is charged again.
 */
import { afterEach, describe, expect, test } from "vitest";
import { auditKeptCharges } from "../../../../lib/billing/use-cases/audit-kept-charges.js";
import { parseConfig } from "../../../../lib/config.js";
import { sweepLedger } from "../../../../lib/ledger/sweep-ledger.js";
import { buildContainer } from "../../../../lib/runtime/container.js";
import type { SandboxModes } from "../../../../sandbox/index.js";
import { type TestStack, useStack } from "../../../support/stack.js";
import { outboxItems } from "../../events/support.js";
import { chargesOf, control, settle, subscribed, view } from "../support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });

let restore: SandboxModes | undefined;
afterEach(() => {
  if (restore) control(ctx()).setModes(restore);
  restore = undefined;
});

/** The subscription's `subscription.charge_refunded` events, oldest first. */
async function refundEvents(t: TestStack, id: string) {
  return (await outboxItems(t, `SUB#${id}`))
    .map((i) => i.event as { type: string; aggregate: { version: number }; data: Record<string, unknown> })
    .filter((e) => e.type === "subscription.charge_refunded")
    .sort((a, b) => a.aggregate.version - b.aggregate.version);
}

const DAY = 24 * 60 * 60_000;

/** One sweep run with the clock `ahead` ms on (two minutes: past the sweep's lag behind the present). */
async function sweep(t: TestStack, ahead = 120_000) {
  const deps = buildContainer(parseConfig(t.stack.env), {
    clock: () => new Date(Date.now() + ahead),
  }).sweepDeps;
  const summary = await sweepLedger(deps);
  expect(summary.failed).toBe(0);
  return summary;
}

/** A subscription whose first cycle was charged and kept. */
async function charged(t: TestStack) {
  const { id, customerUid } = await subscribed(t);
  const [charge] = chargesOf(t, customerUid);
  if (!charge) throw new Error("the first cycle was not charged");
  expect((await view(t, id)).cycles[0]).toMatchObject({ status: "paid", imp_uid: charge.imp_uid });
  return { id, customerUid, impUid: charge.imp_uid, amount: charge.amount };
}

describe.each(["stays-paid", "cancelled"] as const)("partialCancel=%s", (mode) => {
  test("a partial refund, its webhook sent twice, then the rest: two events, the attempt says what iamport says", async () => {
    const t = ctx();
    restore = control(t).modes();
    control(t).setModes({ partialCancel: mode });
    const { id, customerUid, impUid, amount } = await charged(t);

    control(t).setWebhookFault({ kind: "duplicate", times: 1 });
    control(t).cancelFromConsole(impUid, { amount: 3_000, reason: "부분 환불" });
    await settle(t);
    const partly = await view(t, id);

    expect(partly.cycles[0]).toMatchObject({ cycle: 1, status: "paid", imp_uid: impUid });
    expect(partly.cycles[0].attempts[0]).toMatchObject({
      refunded_amount: 3_000,
      refunded_at: expect.any(String),
    });
    expect(partly).toMatchObject({ status: "active", paid_cycles: 1 });
    expect((await refundEvents(t, id)).map((e) => e.data)).toEqual([
      expect.objectContaining({
        charge: { cycle: 1, attempt: 1, merchant_uid: `${id}_1_1`, imp_uid: impUid, amount },
        refund_amount: 3_000,
        refunded_amount: 3_000,
        remaining_amount: amount - 3_000,
        source: "webhook",
      }),
    ]);

    control(t).cancelFromConsole(impUid, { reason: "전액 환불" });
    await settle(t);
    await sweep(t);

    expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: amount });
    expect((await refundEvents(t, id)).map((e) => [e.data.refund_amount, e.data.remaining_amount])).toEqual([
      [3_000, amount - 3_000],
      [amount - 3_000, 0],
    ]);
    // Nothing was charged again, and nothing was refunded by us.
    expect(chargesOf(t, customerUid)).toHaveLength(1);
    expect(chargesOf(t, customerUid)[0]).toMatchObject({ cancel_amount: amount });
  });

  test("a refund whose webhook was lost is recorded by the ledger sweep, once", async () => {
    const t = ctx();
    restore = control(t).modes();
    control(t).setModes({ partialCancel: mode });
    const { id, impUid } = await charged(t);

    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).cancelFromConsole(impUid, { amount: 2_000, reason: "부분 환불" });
    await settle(t);
    expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: 0 });

    const first = await sweep(t);
    await sweep(t);

    expect(first.applied).toBeGreaterThanOrEqual(1);
    expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: 2_000 });
    expect((await refundEvents(t, id)).map((e) => [e.data.refund_amount, e.data.source])).toEqual([
      [2_000, "charge"],
    ]);
  });
});

test("a full refund whose webhook was lost (the payment `cancelled`, holding nothing) is recorded by the sweep", async () => {
  const t = ctx();
  const { id, impUid, amount } = await charged(t);

  control(t).setWebhookFault({ kind: "drop", times: 1 });
  control(t).cancelFromConsole(impUid, { reason: "전액 환불" });
  await settle(t);
  await sweep(t);

  expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: amount });
  expect((await refundEvents(t, id)).map((e) => e.data.remaining_amount)).toEqual([0]);
  expect(await view(t, id)).toMatchObject({ status: "active", paid_cycles: 1 });
});

describe("the kept-charge audit", () => {
  /** The audit run `ahead` ms from now, counting iamport's requests it made. */
  async function audit(t: TestStack, ahead: number) {
    const deps = buildContainer(parseConfig(t.stack.env), { clock: () => new Date(Date.now() + ahead) });
    let requests = 0;
    const iamport = deps.chargeDeps.iamport;
    const counted = {
      ...deps.chargeDeps,
      iamport: {
        ...iamport,
        getPayments: (ids: readonly string[]) => {
          requests++;
          return iamport.getPayments(ids);
        },
        getPayment: (id: string) => {
          requests++;
          return iamport.getPayment(id);
        },
      },
    };
    return { summary: await auditKeptCharges(counted, { max: 200, pageSize: 50 }), requests: () => requests };
  }

  test("a partial refund at the console, its webhook lost, on a charge the sweep no longer lists: recorded the next day", async () => {
    const t = ctx();
    restore = control(t).modes();
    control(t).setModes({ partialCancel: "stays-paid" });
    const { id, impUid } = await charged(t);
    control(t).setWebhookFault({ kind: "drop", times: 1 });
    control(t).cancelFromConsole(impUid, { amount: 1_500, reason: "부분 환불" });
    await control(t).flushWebhooks();

    // Three days on, the payment's paid_at is out of the sweep's window: the sweep alone does not see it.
    await sweep(t, 3 * DAY);
    expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: 0 });

    const { summary } = await audit(t, 3 * DAY);

    expect(summary).toMatchObject({ recorded: 1, failed: 0 });
    expect((await view(t, id)).cycles[0].attempts[0]).toMatchObject({ refunded_amount: 1_500 });
    expect((await refundEvents(t, id)).map((e) => e.data.refund_amount)).toEqual([1_500]);
    // Recorded once: the next run a day later finds it as recorded and writes nothing new.
    const again = await audit(t, 4 * DAY + 60_000);
    expect(again.summary.recorded).toBe(0);
    expect(await refundEvents(t, id)).toHaveLength(1);
  });

  test("kept charges not yet due are not read; due ones are read a hundred to a request and moved a day on", async () => {
    const t = ctx();
    const charges = [await charged(t), await charged(t), await charged(t)];

    const early = await audit(t, 60 * 60_000);
    expect(early.summary.audited).toBe(0);

    const due = await audit(t, DAY + 60_000);
    expect(due.summary.audited).toBeGreaterThanOrEqual(3);
    expect(due.summary).toMatchObject({ recorded: 0, failed: 0 });
    expect(due.requests()).toBe(Math.ceil(due.summary.audited / 100));
    // Moved a day on: the same time again finds none of them due.
    const after = await audit(t, DAY + 120_000);
    expect(after.summary.audited).toBe(0);
    for (const c of charges) expect((await view(t, c.id)).cycles[0].attempts[0].refunded_amount).toBe(0);
  });
});
