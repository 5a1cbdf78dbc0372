/**
 * Scheduled (EventBridge): match iamport's paid payments of the last days with
 * our records, apply or refund whatever they did not account for, then carry
 * out the refunds owed. Returns and logs the run's summary.
 */
import type { Context, ScheduledEvent } from "aws-lambda";
import { withInvocationDeadline } from "../lib/deadline.js";
import { type SweepSummary, sweepLedger } from "../lib/ledger/sweep-ledger.js";
import { container } from "../lib/runtime/container.js";

// No middy: see lib/http/handler.ts (only HTTP functions have a stack).
export const handler = async (_event: ScheduledEvent, context: Context): Promise<SweepSummary> =>
  withInvocationDeadline(context, () =>
    sweepLedger(container().sweepDeps, { remainingMs: () => context.getRemainingTimeInMillis() }),
  );
