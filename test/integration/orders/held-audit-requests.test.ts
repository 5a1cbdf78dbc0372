/**
 * What the held-payment audit costs iamport: one `GET /payments?imp_uid[]=…` per hundred due orders,
 * not a request each (its own stack, so no other test's orders are due with these).
 */
import { expect, test } from "vitest";
import { parseConfig } from "../../../lib/config.js";
import { reconcileOrders } from "../../../lib/orders/use-cases/reconcile-orders.js";
import { buildContainer } from "../../../lib/runtime/container.js";
import { useStack } from "../../support/stack.js";
import { control, paidOrder } from "./refunds/support.js";

const ctx = useStack({ env: { LOG_LEVEL: "error" } });
const DAY = 24 * 60 * 60_000;

test("three held orders due: audited with one iamport request, each moved a day on, none changed", async () => {
  const t = ctx();
  const orders = await Promise.all([5_000, 6_000, 7_000].map((amount) => paidOrder(t, { amount })));
  const deps = buildContainer(parseConfig(t.stack.env), { clock: () => new Date(Date.now() + DAY + 60_000) });
  await deps.reconcileDeps.iamport.warmUp(); // the token, not counted
  const before = control(t).restRequests();

  const summary = await reconcileOrders(deps.reconcileDeps);

  expect(summary.held).toEqual({ audited: 3, applied: 0, failed: 0 });
  expect(control(t).restRequests() - before).toBe(1);
  for (const { merchantUid } of orders) {
    const stored = await deps.orders.get(merchantUid);
    expect(stored).toMatchObject({ status: "paid", version: 2 });
    expect(Date.parse(stored?.auditAfter ?? "")).toBeGreaterThan(Date.now() + 2 * DAY);
  }
});
