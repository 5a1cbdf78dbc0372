/**
 * The refund rules as pure functions: what may be refunded, how much of it is
 * tax-free, and what goes to iamport. No I/O; each rule is a unit test. A
 * refusal throws before anything is written.
 */
import { ConflictError, type FieldIssue, ValidationError } from "../../errors.js";
import type { RefundOrderBody } from "../api-schemas.js";
import type { Order, OrderStatus } from "../order.js";
import type { RefundPlan } from "../refund.js";
import { bankCodeOf, normaliseAccountNumber } from "./refund-bank.js";

const REFUNDABLE: ReadonlySet<OrderStatus> = new Set(["paid", "partially_refunded"]);

/** What the order still holds as we believe it: `amount - refundedAmount` while paid, else 0. */
export function orderRefundable(order: Pick<Order, "status" | "amount" | "refundedAmount">): number {
  return REFUNDABLE.has(order.status) ? Math.max(0, order.amount - order.refundedAmount) : 0;
}

/**
 * The tax-free part of the first `refunded` won of a payment of `amount` with
 * `taxFree` tax-free: `floor(taxFree × refunded / amount)`, and all of it once
 * everything is refunded. Cumulative, so it does not depend on how the refunds
 * were split: the parts always add up to exactly `taxFree`, each between 0 and
 * its refund. (BigInt: the product passes 2^53 for amounts past ~95 million won.)
 */
export function cumulativeTaxFree(payment: { amount: number; taxFree: number }, refunded: number): number {
  if (payment.taxFree <= 0 || refunded <= 0) return 0;
  if (refunded >= payment.amount) return payment.taxFree;
  return Number((BigInt(payment.taxFree) * BigInt(refunded)) / BigInt(payment.amount));
}

/** The tax-free part of refunding `amount` after `alreadyRefunded`: proportional, exact at the end. */
export function taxFreeForRefund(
  order: Pick<Order, "amount" | "taxFree">,
  alreadyRefunded: number,
  amount: number,
): number {
  return cumulativeTaxFree(order, alreadyRefunded + amount) - cumulativeTaxFree(order, alreadyRefunded);
}

/** `YYYY-MM` of `date` in Asia/Seoul (fixed UTC+9: no daylight saving since 1988). */
export function kstMonth(date: Date): string {
  const kst = new Date(date.getTime() + 9 * 3600_000);
  return `${kst.getUTCFullYear()}-${String(kst.getUTCMonth() + 1).padStart(2, "0")}`;
}

/**
 * Checks a refund request against the order and fixes what will be sent.
 * @throws ConflictError `order_not_refundable` unless the order is paid or partially refunded
 * @throws ValidationError naming each field that cannot be honoured (amount, tax_free, refund_*)
 * @throws ConflictError `phone_refund_month_passed` for a phone payment refunded in a later KST month
 */
export function planRefund(order: Order, request: RefundOrderBody, now: Date): RefundPlan {
  const balance = orderRefundable(order);
  if (!order.impUid || balance === 0) {
    throw new ConflictError(
      `order ${order.merchantUid} is ${order.status}; only paid or partially refunded orders can be refunded`,
      "order_not_refundable",
      { status: order.status, refundable_amount: 0 },
    );
  }

  const issues: FieldIssue[] = [];
  const amount = request.amount ?? balance;
  if (amount > balance) {
    issues.push({ field: "amount", reason: `exceeds the refundable balance of ${balance}` });
  }
  const proportional = taxFreeForRefund(order, order.refundedAmount, Math.min(amount, balance));
  const taxFree = request.tax_free ?? proportional;
  if (request.tax_free !== undefined) {
    if (order.taxFree === 0 && request.tax_free > 0) {
      issues.push({ field: "tax_free", reason: "the order has no tax-free part" });
    } else if (request.tax_free > amount) {
      issues.push({ field: "tax_free", reason: `must not exceed the refund amount ${amount}` });
    } else if (request.tax_free > order.taxFree) {
      issues.push({
        field: "tax_free",
        reason: `must not exceed the order's tax-free part ${order.taxFree}`,
      });
    }
  }
  const account = refundAccountOf(order, request, issues);
  if (issues.length) throw new ValidationError(issues);

  if (order.payMethod === "phone") {
    const paidAt = new Date(order.paidAt ?? order.createdAt);
    if (kstMonth(paidAt) !== kstMonth(now)) {
      throw new ConflictError(
        `phone payments can only be refunded in the calendar month they were paid (paid ${kstMonth(paidAt)}, now ${kstMonth(now)}, Asia/Seoul)`,
        "phone_refund_month_passed",
        { paid_month: kstMonth(paidAt), current_month: kstMonth(now) },
      );
    }
  }

  return {
    impUid: order.impUid,
    amount,
    taxFree,
    sendTaxFree: order.taxFree > 0,
    checksum: balance,
    reason: request.reason.trim(),
    ...(account ? { refundAccount: account } : {}),
  };
}

/** Virtual accounts need all three refund fields; other methods refund to the card or account paid with. */
function refundAccountOf(
  order: Order,
  request: RefundOrderBody,
  issues: FieldIssue[],
): RefundPlan["refundAccount"] | undefined {
  const fields = ["refund_holder", "refund_bank", "refund_account"] as const;
  if (order.payMethod !== "vbank") {
    for (const field of fields) {
      if (request[field] !== undefined) {
        issues.push({
          field,
          reason: `only for virtual-account (vbank) orders; this order was paid by ${order.payMethod}`,
        });
      }
    }
    return undefined;
  }
  for (const field of fields) {
    if (request[field] === undefined) {
      issues.push({ field, reason: "is required to refund a virtual-account (vbank) payment" });
    }
  }
  return refundAccountFrom(request);
}

/** The refund account as sent to iamport (bank as a standard code, account digits only), when all three are given. */
export function refundAccountFrom(request: RefundOrderBody): RefundPlan["refundAccount"] | undefined {
  const bankCode = request.refund_bank ? bankCodeOf(request.refund_bank) : null;
  if (!request.refund_holder || !request.refund_account || !bankCode) return undefined;
  return {
    holder: request.refund_holder.trim(),
    bankCode,
    account: normaliseAccountNumber(request.refund_account),
  };
}
