/**
 * The held-payment audit: an order that holds money is read again at iamport a day after its last
 * change, and daily after that; a cancel made in iamport's console whose webhook was lost reaches the
 * order even when the payment is too old for the ledger sweep's listings (a partial cancel that leaves
 * the payment `paid`, paid_at weeks ago). An audit that finds iamport agreeing changes nothing of the
 * order: no version, no history, no event. The reconciler's own use case, DynamoDB Local, the sandbox.
 */
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { sweepLedger } from "../../../lib/ledger/sweep-ledger.js";
import { reconcileOrders } from "../../../lib/orders/use-cases/reconcile-orders.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import type { SandboxModes } from "../../../sandbox/index.js";
import { type TestStack, useStack } from "../../support/stack.js";
import { control, iamportPayment, order, paidOrder } from "./refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });
const HOUR = 60 * 60_000;

function container(t: TestStack, aheadMs: number) {
  return buildContainer(parseConfig(t.stack.env), { clock: () => new Date(Date.now() + aheadMs) });
}
const reconcile = (t: TestStack, aheadMs: number) => reconcileOrders(container(t, aheadMs).reconcileDeps);

async function stored(t: TestStack, merchantUid: string) {
  const found = await container(t, 0).orders.get(merchantUid);
  if (!found) throw new Error(`no order ${merchantUid}`);
  return found;
}

/** A console cancel whose webhook is lost. */
async function consoleCancel(t: TestStack, impUid: string, amount?: number) {
  control(t).setWebhookFault({ kind: "drop", times: 1 });
  control(t).cancelFromConsole(impUid, { ...(amount ? { amount } : {}), reason: "콘솔 취소" });
  await control(t).flushWebhooks();
}

describe.each(["stays-paid", "stays-paid-webhook-paid", "cancelled"] as const)("partialCancel=%s", (mode) => {
  test("a partial console cancel, its webhook lost, is applied by the next day's audit, even where no sweep listing shows it", async () => {
    const t = ctx();
    const before: SandboxModes = control(t).modes();
    control(t).setModes({ partialCancel: mode });
    try {
      const { merchantUid, impUid } = await paidOrder(t, { amount: 15_000 });
      await consoleCancel(t, impUid, 4_000);
      expect((await order(t, merchantUid)).refunded_amount).toBe(0);

      // Past the sweep's 48-hour window, the paid listing no longer shows the payment (its paid_at is
      // older) and, in the modes that keep it `paid`, neither does the cancelled one.
      if (mode !== "cancelled") {
        await sweepLedger(container(t, 50 * HOUR).sweepDeps);
        expect((await order(t, merchantUid)).refunded_amount).toBe(0);
      }
      const summary = await reconcile(t, 50 * HOUR);

      expect(summary.held.applied).toBeGreaterThanOrEqual(1);
      expect(summary.held.failed).toBe(0);
      expect(await order(t, merchantUid)).toMatchObject({
        status: "partially_refunded",
        refunded_amount: 4_000,
        refundable_amount: 11_000,
      });
      expect(iamportPayment(t, impUid).cancel_amount).toBe(4_000);
    } finally {
      control(t).setModes(before);
    }
  });
});

test("a paid order iamport agrees with: audited a day after, and not changed (no version, no history); the next audit a day on", async () => {
  const t = ctx();
  const { merchantUid } = await paidOrder(t, { amount: 8_000 });
  const paid = await stored(t, merchantUid);
  const history = (await order(t, merchantUid)).history;

  // Not due within the day: an audit would have set its next time.
  await reconcile(t, 1 * HOUR);
  expect((await stored(t, merchantUid)).auditAfter).toBeUndefined();

  const summary = await reconcile(t, 25 * HOUR);
  expect(summary.held.failed).toBe(0);
  const audited = await stored(t, merchantUid);
  expect(audited.version).toBe(paid.version);
  expect(audited.status).toBe("paid");
  expect(Date.parse(audited.auditAfter ?? "")).toBeGreaterThan(Date.now() + 48 * HOUR);
  expect((await order(t, merchantUid)).history).toEqual(history);

  // Due again only a day after that audit.
  await reconcile(t, 26 * HOUR);
  expect((await stored(t, merchantUid)).auditAfter).toBe(audited.auditAfter);
});

test("a full console cancel, its webhook lost, a year on: the audit records the refund", async () => {
  const t = ctx();
  const { merchantUid, impUid } = await paidOrder(t, { amount: 6_000 });
  await consoleCancel(t, impUid);

  await reconcile(t, 300 * 24 * HOUR);

  expect(await order(t, merchantUid)).toMatchObject({ status: "refunded", refunded_amount: 6_000 });
});
