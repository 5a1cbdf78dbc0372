/**
 * Scheduled (EventBridge): resolve every order whose check time has passed
 * (abandoned checkouts, virtual-account deadlines, balance mismatches, forgery
 * refunds) from iamport's records. Returns and logs the run's summary.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { withInvocationDeadline } from "../lib/deadline.js";
import { type ReconcileSummary, reconcileOrders } from "../lib/orders/use-cases/reconcile-orders.js";
import { container } from "../lib/runtime/container.js";

// No middy: see lib/http/handler.ts (only HTTP functions have a stack).
export const handler = async (_event: ScheduledEvent, context: Context): Promise<ReconcileSummary> =>
  withInvocationDeadline(context, () =>
    reconcileOrders(container().reconcileDeps, { remainingMs: () => context.getRemainingTimeInMillis() }),
  );
