/**
 * Cancels nobody told us of: a cancel made in iamport's console whose webhook
 * never came, on a paid order or on an orphan payment. A payment cancelled in
 * part may show `paid` or `cancelled` at iamport (undocumented: the sandbox's
 * `partialCancel` mode), and a `cancelled` one is not on the paid listing, so
 * the sweep reads iamport's cancelled payments of its window too: our records
 * end as iamport's, and what an orphan still holds is refunded, in every mode.
 */
import { afterEach, describe, expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { sweepLedger } from "../../../lib/ledger/sweep-ledger.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import type { SandboxModes } from "../../../sandbox/index.js";
import { captureAlerts } from "../../support/alerts.js";
import { type TestStack, uid, useStack } from "../../support/stack.js";
import { control, iamportPayment, order, paidOrder } from "../orders/refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });
const alerts = captureAlerts();

/** One sweep run with the clock two minutes ahead (past the sweep's lag behind the present). */
function sweep(t: TestStack) {
  const deps = buildContainer(parseConfig(t.stack.env), {
    clock: () => new Date(Date.now() + 120_000),
  }).sweepDeps;
  return sweepLedger(deps);
}

/** One run: it ends a pass in progress, if any, then makes a whole pass that began after the cancel. */
async function sweptAfter(t: TestStack) {
  const summary = await sweep(t);
  expect(summary.stoppedBy).toBe("done");
  expect(summary.failed).toBe(0);
  return summary;
}

let restore: SandboxModes | undefined;
afterEach(() => {
  if (restore) control(ctx()).setModes(restore);
  restore = undefined;
});
function withPartialCancel(t: TestStack, mode: SandboxModes["partialCancel"]) {
  restore = control(t).modes();
  control(t).setModes({ partialCancel: mode });
}

/** A console cancel whose webhook is lost. */
async function consoleCancel(t: TestStack, impUid: string, amount?: number) {
  control(t).setWebhookFault({ kind: "drop", times: 1 });
  control(t).cancelFromConsole(impUid, { ...(amount ? { amount } : {}), reason: "콘솔 취소" });
  await control(t).flushWebhooks();
}

function orphanPayment(t: TestStack, amount: number) {
  const merchantUid = `ord_${uid("orphan")
    .replace(/[^A-Za-z0-9]/g, "")
    .padEnd(24, "x")
    .slice(0, 24)}`;
  const rsp = control(t).pay({
    pg: "kicc",
    pay_method: "card",
    merchant_uid: merchantUid,
    amount,
    name: "nobody's",
    buyer_tel: "010-1234-5678",
    outcome: "approve",
  });
  expect(rsp.success, JSON.stringify(rsp)).toBe(true);
  return { merchantUid, impUid: rsp.imp_uid as string };
}

describe.each(["stays-paid", "stays-paid-webhook-paid", "cancelled"] as const)("partialCancel=%s", (mode) => {
  test("a paid order cancelled in part at the console, its webhook lost: the sweep applies iamport's record", async () => {
    const t = ctx();
    withPartialCancel(t, mode);
    const { merchantUid, impUid } = await paidOrder(t, { amount: 12_000 });
    await consoleCancel(t, impUid, 2_000);
    expect((await order(t, merchantUid)).refunded_amount).toBe(0);

    await sweptAfter(t);

    expect(await order(t, merchantUid)).toMatchObject({
      status: "partially_refunded",
      refunded_amount: 2_000,
      refundable_amount: 10_000,
    });
    expect(iamportPayment(t, impUid).cancel_amount).toBe(2_000);
  });

  test("an orphan cancelled in part at the console: what it still holds is refunded, once", async () => {
    const t = ctx();
    withPartialCancel(t, mode);
    await control(t).flushWebhooks();
    const { merchantUid, impUid } = orphanPayment(t, 8_000);
    await control(t).flushWebhooks();
    await consoleCancel(t, impUid, 3_000);

    await sweptAfter(t);
    await sweep(t);

    expect(iamportPayment(t, impUid)).toMatchObject({ status: "cancelled", cancel_amount: 8_000 });
    expect(iamportPayment(t, impUid).cancel_history).toHaveLength(2);
    expect(alerts("orphan_payment").filter((a) => a.merchant_uid === merchantUid)).toHaveLength(1);
  });
});

test("a paid order cancelled in full at the console, its webhook lost: the sweep records the refund", async () => {
  const t = ctx();
  const { merchantUid, impUid } = await paidOrder(t, { amount: 9_000 });
  await consoleCancel(t, impUid);
  expect((await order(t, merchantUid)).status).toBe("paid");

  await sweptAfter(t);

  expect(await order(t, merchantUid)).toMatchObject({ status: "refunded", refunded_amount: 9_000 });
  expect(iamportPayment(t, impUid).cancel_history).toHaveLength(1);
});

test("an orphan cancelled in full, or a cancelled payment that is not ours: nothing to do, nothing written", async () => {
  const t = ctx();
  const orphan = orphanPayment(t, 4_000);
  await control(t).flushWebhooks();
  await consoleCancel(t, orphan.impUid);
  const foreign = control(t).pay({
    pg: "kicc",
    pay_method: "card",
    merchant_uid: uid("another-system"),
    amount: 6_000,
    name: "not ours",
    buyer_tel: "010-1234-5678",
    outcome: "approve",
  });
  await control(t).flushWebhooks();
  await consoleCancel(t, foreign.imp_uid as string, 1_000);
  const before = alerts("orphan_payment").length;

  await sweptAfter(t);

  expect(iamportPayment(t, orphan.impUid).cancel_history).toHaveLength(1);
  expect(iamportPayment(t, foreign.imp_uid as string).cancel_amount).toBe(1_000);
  expect(alerts("orphan_payment")).toHaveLength(before);
  expect((await t.api(`/orders/${orphan.merchantUid}`)).status).toBe(404);
});
