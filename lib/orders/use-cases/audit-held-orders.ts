/**
 * The held-payment audit (rules/held-audit.ts), run by the reconciler after its due orders: every order
 * that holds money is read again at iamport once a day (a hundred per `GET /payments?imp_uid[]=…`), and
 * iamport's record applied through the same rules as every door when it differs: a cancel made in
 * iamport's console whose webhook was lost, on a payment too old for the ledger sweep's listings, still
 * reaches our books.
 */
import { eachLimited } from "../../concurrency.js";
import { PAYMENTS_PER_LOOKUP } from "../../iamport/types.js";
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

/** Orders read at once: as the reconciler's own pages. */
const CONCURRENCY = 4;

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
  for (let start = 0; start < due.length; start += PAYMENTS_PER_LOOKUP) {
    if ((input.remainingMs?.() ?? Number.POSITIVE_INFINITY) < (input.stopMarginMs ?? 0)) break;
    const chunk = due.slice(start, start + PAYMENTS_PER_LOOKUP);
    // A hundred records in one request: the audit costs iamport a request per hundred held orders a day.
    let records: Map<string, PaymentFacts>;
    try {
      const listed = await deps.iamport.getPayments(chunk.map((order) => order.impUid as string));
      records = new Map(listed.map((payment) => [payment.imp_uid, payment]));
    } catch (error) {
      summary.failed += chunk.length;
      log.warn("held orders not audited: iamport could not be read; the next run looks again", { error });
      break;
    }
    await eachLimited(chunk, CONCURRENCY, async (order) => {
      summary.audited++;
      try {
        if (await auditOne(deps, order, records.get(order.impUid as string), now, log)) summary.applied++;
      } catch (error) {
        summary.failed++;
        log.warn("held order not audited; the next run looks again", {
          merchant_uid: order.merchantUid,
          error,
        });
      }
    });
  }
  return summary;
}

/** True when iamport's record differed from the order and was applied. */
async function auditOne(
  deps: VerifyPaymentDeps,
  order: Order,
  listed: PaymentFacts | undefined,
  now: Date,
  log: Logger,
): Promise<boolean> {
  if (!order.impUid) return false;
  // Not in the list (a test-channel payment the list may hide, say): read alone, as every door does.
  const payment: PaymentFacts = listed ?? (await deps.iamport.getPayment(order.impUid));
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
