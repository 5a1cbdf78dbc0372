/**
 * Scheduled (EventBridge): resolve every order whose check time has passed
 * (abandoned checkouts, virtual-account deadlines, balance mismatches, forgery
 * refunds) from iamport's records, audit the orders that hold money, then the
 * charges subscriptions keep (a refund in iamport's console nobody announced).
 * Returns and logs the run's summary.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { auditKeptCharges, type KeptAuditSummary } from "../lib/billing/use-cases/audit-kept-charges.js";
import { withInvocationDeadline } from "../lib/deadline.js";
import { type ReconcileSummary, reconcileOrders } from "../lib/orders/use-cases/reconcile-orders.js";
import { container } from "../lib/runtime/container.js";

/** No new chunk of the kept-charge audit starts with less than this left of the invocation. */
const STOP_MARGIN_MS = 30_000;

// No middy: see lib/http/handler.ts (only HTTP functions have a stack).
export const handler = async (
  _event: ScheduledEvent,
  context: Context,
): Promise<ReconcileSummary & { kept: KeptAuditSummary }> =>
  withInvocationDeadline(context, async () => {
    const deps = container();
    const remainingMs = () => context.getRemainingTimeInMillis();
    const orders = await reconcileOrders(deps.reconcileDeps, { remainingMs });
    const kept = await auditKeptCharges(deps.chargeDeps, {
      max: deps.config.RECONCILE_MAX_ORDERS,
      pageSize: deps.config.RECONCILE_BATCH_SIZE,
      remainingMs,
      stopMarginMs: STOP_MARGIN_MS,
    });
    if (kept.audited > 0 || kept.failed > 0)
      deps.logger[kept.failed > 0 ? "warn" : "info"]("kept-charge audit finished", { kept_audit: kept });
    return { ...orders, kept };
  });
