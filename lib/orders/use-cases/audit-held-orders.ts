/**
 * The held-payment audit (rules/held-audit.ts), run by the reconciler after its due orders: every order
 * that holds money is read again at iamport once a day (a hundred per `GET /payments?imp_uid[]=…`), and
 * iamport's record applied through the same rules as every door when it differs: a cancel made in
 * iamport's console whose webhook was lost, on a payment too old for the ledger sweep's listings, still
 * reaches our books.
 */
import { eachWithRecord } from "../../iamport/records-in-chunks.js";
import type { Logger } from "../../observability/logger.js";
import type { VerifyPaymentDeps } from "../deps.js";
import type { Order } from "../order.js";
import { auditAgainAt, recordAgrees } from "../rules/held-audit.js";
import type { PaymentFacts } from "../rules/payment-facts.js";
import { applyPaymentRecord } from "./verify-payment.js";

export interface HeldAuditSummary {
  /** Orders read again at iamport. */
  audited: number;
  /** iamport's record differed and was applied (a cancel we had not heard of). */
  applied: number;
  /** iamport could not be read, or the order not written: looked at again on the next run. */
  failed: number;
}

export async function auditHeldOrders(
  deps: VerifyPaymentDeps,
  input: { max: number; perShard: number; remainingMs?: () => number; stopMarginMs?: number },
): Promise<HeldAuditSummary> {
  const log = deps.logger.child({ job: "held_audit" });
  const summary: HeldAuditSummary = { audited: 0, applied: 0, failed: 0 };
  const now = deps.clock();
  const due = (await deps.orders.listHeldDue(now, input.perShard))
    .filter((order) => order.impUid)
    .slice(0, input.max);
  // A hundred records in one request: the audit costs iamport a request per hundred held orders a day.
  await eachWithRecord({
    items: due,
    impUidOf: (order) => order.impUid as string,
    iamport: deps.iamport,
    timeLeft: () => (input.remainingMs?.() ?? Number.POSITIVE_INFINITY) >= (input.stopMarginMs ?? 0),
    visit: async (order, payment) => {
      summary.audited++;
      if (await auditOne(deps, order, payment, now, log)) summary.applied++;
    },
    chunkFailed: (chunk, error) => {
      summary.failed += chunk.length;
      log.warn("held orders not audited: iamport could not be read; the next run looks again", { error });
    },
    itemFailed: (order, error) => {
      summary.audited++;
      summary.failed++;
      log.warn("held order not audited; the next run looks again", {
        merchant_uid: order.merchantUid,
        error,
      });
    },
  });
  return summary;
}

/** True when iamport's record differed from the order and was applied. */
async function auditOne(
  deps: VerifyPaymentDeps,
  order: Order,
  payment: PaymentFacts,
  now: Date,
  log: Logger,
): Promise<boolean> {
  if (recordAgrees(order, payment)) {
    await deps.orders.markAudited(order, auditAgainAt(now));
    return false;
  }
  const result = await applyPaymentRecord(deps, { order, payment, source: "reconciler" }, log);
  if (result.outcome === "applied") {
    log.warn("held-payment audit: iamport's record of a paid order had changed unannounced; applied", {
      merchant_uid: order.merchantUid,
      imp_uid: order.impUid,
      from: order.status,
      to: result.order?.status,
      iamport_cancelled: payment.cancel_amount,
      refunded_before: order.refundedAmount,
    });
    return true;
  }
  // Nothing the rules would change (another payment's record, a refusal with its own alert): not again today.
  if (result.order) await deps.orders.markAudited(result.order, auditAgainAt(now));
  return false;
}
