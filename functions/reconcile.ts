/**
 * Scheduled (EventBridge): resolve every order whose check time has passed
 * (abandoned checkouts, virtual-account deadlines, balance mismatches, forgery
 * refunds) from iamport's records. Returns and logs the run's summary.
 */
import middy from "@middy/core";
import type { ScheduledEvent } from "aws-lambda";
import { withInvocationDeadline } from "../lib/deadline.js";
import { type ReconcileSummary, reconcileOrders } from "../lib/orders/reconcile-orders.js";
import { container } from "../lib/runtime/container.js";

export const handler = middy<ScheduledEvent, ReconcileSummary>().handler(async (_event, context) =>
  withInvocationDeadline(context, () =>
    reconcileOrders(container().reconcileDeps, { remainingMs: () => context.getRemainingTimeInMillis() }),
  ),
);
