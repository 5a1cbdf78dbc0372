/**
 * The refund route for a payment the order does not keep (a forged amount, a
 * second payment): this service already owes its refund in full and carries
 * it out on its own; a deposited virtual account waits for the buyer's bank
 * account, which the merchant gives here. The refund owed is its own
 * idempotency (one per imp_uid, `checksum` on every cancel): a retry finds it
 * done and answers the same.
 */
import { ConflictError, type FieldIssue, RetryLaterError, ValidationError } from "../../errors.js";
import type { OwedRefund } from "../../ledger/owed-refund.js";
import { payOwedRefund } from "../../ledger/pay-owed-refund.js";
import type { RefundOrderBody } from "../api-schemas.js";
import type { RefundOrderDeps, RefundOrderResult } from "../deps.js";
import type { Order } from "../order.js";
import type { RefundResult } from "../refund.js";
import { unixToIso } from "../rules/payment-facts.js";
import { orderRefundable, refundAccountFrom } from "../rules/refund-rules.js";
import { applyPaymentRecord } from "./verify-payment.js";

/** The payment a request names that is not the one the order keeps, or null for an ordinary refund. */
export function owedPaymentNamed(order: Order, request: RefundOrderBody): string | null {
  if (request.imp_uid && request.imp_uid !== order.impUid) return request.imp_uid;
  if (order.status === "forged" && order.forgery) return order.forgery.impUid;
  return null;
}

/**
 * Carries out the refund owed for `impUid` of `order`, with the refund account when given.
 * @throws ValidationError naming imp_uid (no refund owed for it), amount, tax_free or the refund account
 * @throws ConflictError `refund_refused` when iamport refuses it (the message says what to fix)
 * @throws RetryLaterError when iamport cannot be reached now
 */
export async function refundOwedPayment(
  deps: RefundOrderDeps,
  order: Order,
  impUid: string,
  request: RefundOrderBody,
): Promise<RefundOrderResult> {
  const owed = await deps.owedRefunds.get({ kind: "order", merchantUid: order.merchantUid }, impUid);
  if (!owed) {
    throw new ValidationError([
      { field: "imp_uid", reason: `is not a payment of order ${order.merchantUid} with a refund owed` },
    ]);
  }
  const issues: FieldIssue[] = [];
  if (request.amount !== undefined && request.amount !== owed.amount) {
    issues.push({ field: "amount", reason: `a refund owed is always the whole ${owed.amount}; omit amount` });
  }
  if (request.tax_free !== undefined) issues.push({ field: "tax_free", reason: "not for a refund owed" });
  const account = refundAccountFrom(request);
  const needsAccount = owed.payMethod === "vbank" && owed.state !== "done";
  for (const field of ["refund_holder", "refund_bank", "refund_account"] as const) {
    if (needsAccount && request[field] === undefined)
      issues.push({ field, reason: "is required to refund a deposited virtual account" });
    if (!needsAccount && owed.payMethod !== "vbank" && request[field] !== undefined)
      issues.push({ field, reason: `only for virtual accounts; this payment was made by ${owed.payMethod}` });
  }
  if (issues.length) throw new ValidationError(issues);

  const after = await payOwedRefund(deps, owed, account ? { account } : {});
  if (after.state === "needs_person") {
    throw new ConflictError(
      `iamport refused the refund: ${after.lastError ?? "no reason given"}`,
      "refund_refused",
      {
        imp_uid: impUid,
        refund_owed: after.state,
      },
    );
  }
  if (after.state !== "done") {
    throw new RetryLaterError("the refund owed could not be carried out now; retry with the same request");
  }
  return { result: await resultOf(deps, order, after), replayed: owed.state === "done" };
}

async function resultOf(deps: RefundOrderDeps, order: Order, owed: OwedRefund): Promise<RefundResult> {
  let current = order;
  let cancelledAt: string | null = owed.doneAt ?? null;
  let cancellationId: string | null = null;
  try {
    const payment = await deps.iamport.getPayment(owed.impUid);
    const last = [...(payment.cancel_history ?? [])].sort((a, b) => b.cancelled_at - a.cancelled_at)[0];
    cancellationId = last?.cancellation_id ?? null;
    cancelledAt = unixToIso(last?.cancelled_at) ?? cancelledAt;
    // The order's side of it (a forgery refund turns done).
    current = (await applyPaymentRecord(deps, { order, payment, source: "api" })).order ?? order;
  } catch {
    // The refund is done at iamport; the reconciler brings the order's mirror in line.
  }
  return {
    cancellationId,
    amount: owed.amount,
    taxFree: 0,
    reason: owed.detail,
    cancelledAt,
    order: {
      status: current.status,
      amount: current.amount,
      refundedAmount: current.refundedAmount,
      refundableAmount: orderRefundable(current),
    },
  };
}
