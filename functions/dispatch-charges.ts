/**
 * Scheduled (EventBridge): queue every due subscription cycle and every
 * charge attempt whose outcome is still open to the charge queue; end the
 * subscriptions whose period or dunning is over. Returns and logs a summary.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { type DispatchSummary, dispatchCharges } from "../lib/billing/use-cases/dispatch-charges.js";
import { withInvocationDeadline } from "../lib/deadline.js";
import { chargeQueue } from "../lib/runtime/charge-queue.js";
import { container } from "../lib/runtime/container.js";

// No middy: see lib/http/handler.ts (only HTTP functions have a stack).
export const handler = async (_event: ScheduledEvent, context: Context): Promise<DispatchSummary> =>
  withInvocationDeadline(context, () =>
    dispatchCharges(
      { ...container().dispatchDeps, queue: chargeQueue() },
      { remainingMs: () => context.getRemainingTimeInMillis() },
    ),
  );
