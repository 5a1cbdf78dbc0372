/**
 * The ledger sweep (EventBridge, every 15 minutes): reads iamport's own list
 * of paid payments over a sliding window, then its list of cancelled ones,
 * and matches each one with our records, so a payment no door, lookup or
 * reconciler saw (a lost webhook on an account we never recorded, a charge
 * hidden behind a refusal, an orphan, a second payment, a console cancel
 * whose webhook was lost) is applied or refunded (invariant 8). Bounded per
 * run and resumable: a cursor (keyset on `paid_at` for the paid listing, so a
 * payment refunded meanwhile cannot shift a page and hide another) is saved
 * after each page, conditionally, so two sweeps at once never both move it.
 * Everything a match does is idempotent, so re-reading a page is harmless.
 */
import { eachLimited } from "../concurrency.js";
import type { Payment, PaymentPage } from "../iamport/schemas.js";
import type { ListByStatusInput } from "../iamport/types.js";
import type { Logger } from "../observability/logger.js";
import { type OwedRefundDeps, type OwedRefundsSummary, payDueOwedRefunds } from "./pay-owed-refund.js";
import type { LedgerCursor, LedgerCursorRepository } from "./ports.js";

/** What matching one of iamport's paid payments with our records came to. */
export type LedgerMatch =
  /** The payment an order or cycle keeps, or one already being refunded: nothing to do. */
  | "kept"
  /** Our records learned something (a lost webhook: an order paid, a cycle settled). */
  | "applied"
  /** A refund owed was decided now (orphan, second payment, surplus, forged). */
  | "refund_owed"
  /** Refused for an alert (another channel, MID, a test payment in live mode): a person looks. */
  | "rejected"
  /** Not a merchant_uid of ours (an order id we never issued and nothing stored under it). */
  | "foreign";

export interface SweepLedgerDeps {
  iamport: { listPaymentsByStatus(input: ListByStatusInput): Promise<PaymentPage> };
  cursors: LedgerCursorRepository;
  /** Matches one payment with our records (lib/webhooks/match-ledger-payment.ts). */
  match(payment: Payment): Promise<LedgerMatch>;
  /** The refunds-owed executor, run after the pages: what the sweep decided is carried out in the same run. */
  owed: OwedRefundDeps;
  clock: () => Date;
  logger: Logger;
  settings: {
    /** How far back each pass reads (a late deposit, a charge recorded late, is still found). */
    windowSeconds: number;
    pageSize: number;
    /** Payments matched per run at most; the cursor keeps the place for the next run. */
    maxPayments: number;
  };
}

export interface SweepSummary {
  read: number;
  kept: number;
  applied: number;
  refundOwed: number;
  rejected: number;
  foreign: number;
  failed: number;
  pages: number;
  passesCompleted: number;
  stoppedBy: "done" | "budget" | "time" | "cursor_taken" | "iamport";
  owedRefunds?: OwedRefundsSummary;
}

/** Payments iamport is still writing: left for the next pass. */
const LAG_SECONDS = 60;
const STOP_MARGIN_MS = 30_000;
const CONCURRENCY = 4;

/** One sweep run: pages on from the cursor until the pass ends or the run's budget is spent. */
export async function sweepLedger(
  deps: SweepLedgerDeps,
  input: { remainingMs?: () => number } = {},
): Promise<SweepSummary> {
  const log = deps.logger.child({ job: "ledger_sweep" });
  const summary: SweepSummary = {
    read: 0,
    kept: 0,
    applied: 0,
    refundOwed: 0,
    rejected: 0,
    foreign: 0,
    failed: 0,
    pages: 0,
    passesCompleted: 0,
    stoppedBy: "done",
  };
  let cursor = await deps.cursors.get();
  const passes = cursor?.passesCompleted ?? 0;
  let startedPass = false;
  for (;;) {
    if (!cursor || cursor.complete) {
      if (startedPass) break; // one pass per run at most: the next run starts the next one
      const next = newPass(cursor, deps.clock(), deps.settings.windowSeconds);
      if (!(await deps.cursors.save(cursor, next))) {
        summary.stoppedBy = "cursor_taken";
        break;
      }
      cursor = next;
      startedPass = true;
    }
    if (summary.read >= deps.settings.maxPayments) {
      summary.stoppedBy = "budget";
      break;
    }
    if ((input.remainingMs?.() ?? Number.POSITIVE_INFINITY) < STOP_MARGIN_MS) {
      summary.stoppedBy = "time";
      break;
    }
    const phase = cursor.phase ?? "paid";
    let page: PaymentPage;
    try {
      page = await deps.iamport.listPaymentsByStatus(
        phase === "paid"
          ? {
              status: "paid",
              from: cursor.position,
              to: cursor.passTo,
              page: cursor.page,
              limit: deps.settings.pageSize,
              sorting: "paid",
            }
          : {
              // Filtered on `cancelled_at`, which a further cancel moves: `started_at` order is stable,
              // and a payment a later cancel moves out of the window is read again by the next pass.
              status: "cancelled",
              from: cursor.passFrom,
              to: cursor.passTo,
              page: cursor.page,
              limit: deps.settings.pageSize,
              sorting: "started",
            },
      );
    } catch (error) {
      log.warn("dependency unavailable: iamport's payment list could not be read; the next run goes on", {
        error,
      });
      summary.stoppedBy = "iamport";
      break;
    }
    summary.pages++;
    const seen = new Set(cursor.seenAtPosition);
    const fresh =
      phase === "paid"
        ? page.list.filter((p) => !(p.paid_at === cursor?.position && seen.has(p.imp_uid)))
        : page.list;
    await eachLimited(fresh, CONCURRENCY, async (payment) => {
      summary.read++;
      try {
        const outcome = await deps.match(payment);
        count(summary, outcome);
      } catch (error) {
        summary.failed++;
        log.warn("a payment could not be matched; the next pass looks again", {
          merchant_uid: payment.merchant_uid,
          imp_uid: payment.imp_uid,
          error,
        });
      }
    });
    const next = nextCursor(cursor, page, deps.clock());
    if (!(await deps.cursors.save(cursor, next))) {
      summary.stoppedBy = "cursor_taken";
      break;
    }
    if (next.complete) summary.passesCompleted++;
    cursor = next;
  }
  summary.owedRefunds = await payDueOwedRefunds(deps.owed, {
    pageSize: deps.settings.pageSize,
    max: deps.settings.maxPayments,
    ...(input.remainingMs ? { remainingMs: input.remainingMs } : {}),
  });
  report(summary, passes, log);
  return summary;
}

function newPass(previous: LedgerCursor | null, now: Date, windowSeconds: number): LedgerCursor {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const passFrom = nowSeconds - windowSeconds;
  return {
    version: (previous?.version ?? 0) + 1,
    passFrom,
    passTo: nowSeconds - LAG_SECONDS,
    phase: "paid",
    position: passFrom,
    seenAtPosition: [],
    page: 1,
    complete: false,
    passesCompleted: previous?.passesCompleted ?? 0,
    updatedAt: now.toISOString(),
  };
}

/**
 * The cursor after a page of the pass: the paid listing's {@link advance}, then, when it ends, the
 * cancelled listing from its first page, page by page; the pass is complete when that one ends.
 */
export function nextCursor(cursor: LedgerCursor, page: PaymentPage, now: Date): LedgerCursor {
  if ((cursor.phase ?? "paid") === "paid") {
    const next = advance(cursor, page, now);
    if (!next.complete) return next;
    return { ...next, complete: false, passesCompleted: cursor.passesCompleted, phase: "cancelled", page: 1 };
  }
  const base = { ...cursor, version: cursor.version + 1, updatedAt: now.toISOString() };
  if (page.list.length === 0 || !page.next) {
    return { ...base, complete: true, passesCompleted: cursor.passesCompleted + 1 };
  }
  return { ...base, page: cursor.page + 1 };
}

/**
 * The paid listing's cursor after a page (sorted by `paid_at`, ascending): the next request
 * starts at the last second seen, skipping what was handled there; a page all
 * in one second moves to that second's next page. No next page: the paid listing is done.
 */
export function advance(cursor: LedgerCursor, page: PaymentPage, now: Date): LedgerCursor {
  const base = { ...cursor, version: cursor.version + 1, updatedAt: now.toISOString() };
  if (page.list.length === 0 || !page.next) {
    return { ...base, complete: true, passesCompleted: cursor.passesCompleted + 1 };
  }
  const last = Math.max(...page.list.map((p) => p.paid_at ?? 0));
  const atLast = page.list.filter((p) => p.paid_at === last).map((p) => p.imp_uid);
  if (last === cursor.position) {
    return { ...base, page: cursor.page + 1, seenAtPosition: [...cursor.seenAtPosition, ...atLast] };
  }
  return { ...base, position: last, seenAtPosition: atLast, page: 1 };
}

function count(summary: SweepSummary, outcome: LedgerMatch): void {
  if (outcome === "kept") summary.kept++;
  else if (outcome === "applied") summary.applied++;
  else if (outcome === "refund_owed") summary.refundOwed++;
  else if (outcome === "rejected") summary.rejected++;
  else summary.foreign++;
}

function report(summary: SweepSummary, passesBefore: number, log: Logger): void {
  const fields = { ...summary, passes_before: passesBefore };
  if (summary.applied + summary.refundOwed > 0) {
    // Money our records did not account for: each finding has its own alert line too; this one counts them.
    log.error("ALERT the ledger sweep found payments our records had not accounted for", {
      alert: "ledger_sweep_findings",
      ...fields,
    });
  } else if (summary.failed > 0 || summary.stoppedBy === "iamport") {
    log.warn("ledger sweep run finished with failures", fields);
  } else {
    log.info("ledger sweep run finished", fields);
  }
}
