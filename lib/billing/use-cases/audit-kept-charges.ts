/**
 * The kept-charge audit (rules/kept-audit.ts), run by the reconciler after the held-payment audit of
 * orders: every charge a cycle keeps is read again at iamport, daily in its first month and weekly
 * after (a hundred per `GET /payments?imp_uid[]=…`), and a refund made in iamport's console that the
 * attempt does not record is recorded with its `subscription.charge_refunded` (settlement), whatever
 * webhook was lost and however old the payment, as long as it could still be cancelled.
 */
import { eachWithRecord } from "../../iamport/records-in-chunks.js";
import type { ChargeAttempt } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import { keptAuditAgainAt } from "../rules/kept-audit.js";
import { cancelNotRecorded } from "../settlement/decide-settlement.js";
import { applyChargePayment } from "../settlement/index.js";

export interface KeptAuditSummary {
  /** Kept charges read again at iamport. */
  audited: number;
  /** A refund at iamport the attempt did not record, recorded now. */
  recorded: number;
  /** iamport could not be read, or the attempt not written: looked at again on the next run. */
  failed: number;
}

export async function auditKeptCharges(
  deps: ChargeDeps,
  input: { max: number; pageSize: number; remainingMs?: () => number; stopMarginMs?: number },
): Promise<KeptAuditSummary> {
  const log = deps.logger.child({ job: "kept_charge_audit" });
  const summary: KeptAuditSummary = { audited: 0, recorded: 0, failed: 0 };
  const now = deps.clock();
  const due: ChargeAttempt[] = [];
  for await (const page of deps.subscriptions.pagesKeptDue(now, input.pageSize)) {
    due.push(...page.filter((a) => a.impUid));
    if (due.length >= input.max) break;
  }
  await eachWithRecord({
    items: due.slice(0, input.max),
    impUidOf: (attempt) => attempt.impUid as string,
    iamport: deps.iamport,
    timeLeft: () => (input.remainingMs?.() ?? Number.POSITIVE_INFINITY) >= (input.stopMarginMs ?? 0),
    visit: async (attempt, payment) => {
      summary.audited++;
      if (!cancelNotRecorded(attempt, payment)) {
        await deps.subscriptions.markAttemptAudited(attempt, keptAuditAgainAt(attempt, now));
        return;
      }
      const result = await applyChargePayment(deps, attempt, payment, "lookup", log);
      if (result.outcome !== "applied") return;
      summary.recorded++;
      log.warn("kept-charge audit: a refund at iamport nobody announced; recorded", {
        merchant_uid: attempt.merchantUid,
        imp_uid: attempt.impUid,
        iamport_cancelled: payment.cancel_amount,
        recorded_before: attempt.cancelled?.amount ?? 0,
      });
    },
    chunkFailed: (chunk, error) => {
      summary.failed += chunk.length;
      log.warn("kept charges not audited: iamport could not be read; the next run looks again", { error });
    },
    itemFailed: (attempt, error) => {
      summary.audited++;
      summary.failed++;
      log.warn("kept charge not audited; the next run looks again", {
        merchant_uid: attempt.merchantUid,
        error,
      });
    },
  });
  return summary;
}
