/**
 * The reconciler (EventBridge, every few minutes): resolves every order whose
 * `checkAfter` has passed from iamport's own records (invariant 5). Each due
 * order is verified like any door (source `reconciler`), then expired,
 * settled or rescheduled with a conditional write. Reads the sharded due
 * index page by page (never a Scan), bounded per run; one bad order never
 * fails the run.
 */
import { eachLimited } from "../../concurrency.js";
import { type OwedRefundsSummary, payDueOwedRefunds } from "../../ledger/pay-owed-refund.js";
import type { Logger } from "../../observability/logger.js";
import type { ReconcileOrdersDeps } from "../deps.js";
import type { Order, OrderEvent, OrderStatus } from "../order.js";
import { decideReconcile } from "../rules/reconcile-rules.js";
import { auditHeldOrders, type HeldAuditSummary } from "./audit-held-orders.js";
import { verifyPayment } from "./verify-payment.js";

export interface ReconcileSummary {
  checked: number;
  /** Orders whose state changed (applied from iamport, or expired). */
  changed: number;
  expired: number;
  /** Orders that threw (iamport down, a refund not confirmed...); rescheduled. */
  failed: number;
  /** The held-payment audit that follows the due orders (audit-held-orders.ts). */
  held: HeldAuditSummary;
  /** The refunds-owed pass that follows the orders. */
  owedRefunds: OwedRefundsSummary;
}

/** Orders handled at once: enough to finish a page quickly, few enough to spare iamport. */
const CONCURRENCY = 4;

export type Outcome = "changed" | "expired" | "unchanged";

/** Read by merchant_uid: a newer attempt (a paid retry, a second virtual account) may hold the money. */
const OPEN_CHECKOUT: ReadonlySet<OrderStatus> = new Set(["pending", "failed", "awaiting_deposit"]);

export interface ReconcileOrdersInput {
  /** Milliseconds the invocation has left (Lambda's `getRemainingTimeInMillis`); no new page starts below a margin. */
  remainingMs?: () => number;
}

/** Time kept back for the page in flight: CONCURRENCY orders at a few iamport calls each. */
const STOP_MARGIN_MS = 60_000;
/** This many failures in a row (iamport down, most likely) end the run; the next one tries again. */
const MAX_FAILURES_IN_A_ROW = 10;

/** Runs one pass over the due orders and returns (and logs) what happened. */
export async function reconcileOrders(
  deps: ReconcileOrdersDeps,
  input: ReconcileOrdersInput = {},
): Promise<ReconcileSummary> {
  const log = deps.logger.child({ job: "reconcile" });
  const summary: Omit<ReconcileSummary, "owedRefunds" | "held"> = {
    checked: 0,
    changed: 0,
    expired: 0,
    failed: 0,
  };
  const seen = new Set<string>();
  const runAt = deps.clock();
  let failuresInARow = 0;
  const mayContinue = () =>
    seen.size < deps.settings.maxOrders &&
    failuresInARow < MAX_FAILURES_IN_A_ROW &&
    (input.remainingMs?.() ?? Number.POSITIVE_INFINITY) > STOP_MARGIN_MS;

  while (mayContinue()) {
    const page = (await deps.orders.listDue(runAt, deps.settings.batchSize))
      .filter((order) => !seen.has(order.merchantUid))
      .slice(0, deps.settings.maxOrders - seen.size);
    // Handled orders leave the due window (cleared or rescheduled); a page of only seen ones means done.
    if (page.length === 0) break;
    for (const order of page) seen.add(order.merchantUid);
    await eachLimited(page, CONCURRENCY, async (order) => {
      summary.checked++;
      try {
        const outcome = await reconcileOne(deps, order, log);
        failuresInARow = 0;
        if (outcome !== "unchanged") summary.changed++;
        if (outcome === "expired") summary.expired++;
      } catch (error) {
        summary.failed++;
        failuresInARow++;
        log.warn("order not reconciled; looking again later", { merchant_uid: order.merchantUid, error });
        await postpone(deps, order.merchantUid).catch((postponeError: unknown) =>
          log.error("could not reschedule an order", {
            merchant_uid: order.merchantUid,
            error: postponeError,
          }),
        );
      }
    });
  }
  // Then the orders holding money whose daily audit is due: a console cancel nobody announced is applied.
  const held = await auditHeldOrders(deps, {
    max: deps.settings.maxOrders,
    perShard: deps.settings.batchSize,
    ...(input.remainingMs ? { remainingMs: input.remainingMs } : {}),
    stopMarginMs: STOP_MARGIN_MS,
  });
  // Then every refund owed that is due (orders' and subscriptions' alike): carried out until iamport agrees.
  const owedRefunds = await payDueOwedRefunds(deps, {
    pageSize: deps.settings.batchSize,
    max: deps.settings.maxOrders,
    ...(input.remainingMs ? { remainingMs: input.remainingMs } : {}),
  });
  const level = summary.failed + held.failed > 0 ? "warn" : "info";
  log[level]("reconcile run finished", {
    ...summary,
    held_audit: held,
    owed_refunds: owedRefunds,
    stopped_early: failuresInARow >= MAX_FAILURES_IN_A_ROW,
  });
  return { ...summary, held, owedRefunds };
}

/**
 * One order through the reconciler's steps now, due or not (the ops CLI's `reconcile`): verified at
 * iamport with source `reconciler`, then expired, settled or rescheduled by the same rules.
 */
export async function reconcileOne(deps: ReconcileOrdersDeps, listed: Order, log: Logger): Promise<Outcome> {
  // An open checkout or account may have a newer attempt than the imp_uid we saw (a decline, then a
  // paid retry; a second virtual account): look those up by merchant_uid. Settled orders are about their
  // own payment (the ledger sweep finds any other paid one).
  const byImpUid = listed.impUid && !OPEN_CHECKOUT.has(listed.status);
  const verified = await verifyPayment(deps, {
    merchantUid: listed.merchantUid,
    ...(byImpUid ? { impUid: listed.impUid } : {}),
    source: "reconciler",
  });
  const order = verified.order;
  if (!order) return "unchanged";
  const applied = verified.outcome === "applied";
  const decision = decideReconcile(
    order,
    {
      payment: verified.payment ?? null,
      ...(verified.payments ? { payments: verified.payments } : {}),
      rejected: verified.outcome === "rejected",
    },
    { now: deps.clock(), retryAfterMs: deps.settings.retryAfterMinutes * 60_000 },
  );
  if (decision.kind === "none") return applied ? "changed" : "unchanged";

  // A reschedule is not a transition: no history entry. Expiry and settling are.
  const event: OrderEvent | undefined =
    decision.kind === "recheck"
      ? undefined
      : {
          version: decision.next.version,
          at: decision.next.updatedAt,
          from: order.status,
          to: decision.next.status,
          source: "reconciler",
          reason: decision.reason,
          ...(order.impUid ? { impUid: order.impUid } : {}),
        };
  const saved = await deps.orders.save(order, decision.next, event);
  // A lost race means a door wrote first (a deposit webhook, say); if still due, the next run decides again.
  if (!saved.saved) return applied ? "changed" : "unchanged";
  const level = decision.kind === "recheck" ? "warn" : "info";
  log[level](`reconciler: ${decision.kind}`, {
    merchant_uid: order.merchantUid,
    from: order.status,
    to: decision.next.status,
    reason: decision.reason,
  });
  if (decision.kind === "expire") return "expired";
  return applied ? "changed" : "unchanged";
}

/** Moves a failing order's `checkAfter` forward so it does not hold the head of the due index. */
async function postpone(deps: ReconcileOrdersDeps, merchantUid: string): Promise<void> {
  const order = await deps.orders.get(merchantUid);
  if (!order?.checkAfter) return;
  const now = deps.clock();
  const next: Order = {
    ...order,
    checkAfter: new Date(now.getTime() + deps.settings.retryAfterMinutes * 60_000).toISOString(),
    version: order.version + 1,
    updatedAt: now.toISOString(),
  };
  // Conditional on the version read just now; losing means someone else moved the order, which is fine.
  await deps.orders.save(order, next);
}
