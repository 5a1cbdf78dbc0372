/**
 * The money rules of invariant 1, 2 and 4 as one pure function: given our
 * order and iamport's record of a payment, what (if anything) changes.
 * No I/O: every rule here is a unit test.
 */
import type { ChangeSource, Order, OrderStatus, Refund, VirtualAccount } from "../order.js";
import { holdsMoney, type PaymentFacts, refundableBalance, unixToIso } from "./payment-facts.js";

export type Mode = "live" | "test";

export type Decision =
  /** Nothing to change (already applied, an abandoned window, a stale notification). */
  | { kind: "none"; reason: string }
  /** The record must not touch this order at all; raise an alert. */
  | {
      kind: "reject";
      reason: "merchant_uid_mismatch" | "not_kicc" | "unknown_mid" | "test_channel_in_live_mode";
    }
  /** Move the order forward. */
  | { kind: "transition"; next: Order; reason: string }
  /**
   * The order is (now) forged and iamport still holds money for it: write `next`
   * (when given) before refunding `refundable`, so a crash leaves a marked order.
   */
  | { kind: "refund_forged"; next?: Order; refundable: number; reason: string }
  /**
   * A payment under this merchant_uid that the order does not keep (it kept
   * another, or it is forged): `next` records the decision (its imp_uid in
   * `refundsOwed`) and is written with the refund owed, in one transaction.
   */
  | { kind: "refund_other"; next: Order; refundable: number; reason: string };

/** States a payment record may still move the order out of. */
const OPEN_FOR_PAYMENT: ReadonlySet<OrderStatus> = new Set([
  "pending",
  "awaiting_deposit",
  "failed",
  "expired",
]);
const REFUNDABLE: ReadonlySet<OrderStatus> = new Set(["paid", "partially_refunded"]);

/**
 * Decides the update for `order` from iamport's `payment` record.
 * @param now the time to stamp on the new version
 */
export function decideOrderUpdate(
  order: Order,
  payment: PaymentFacts,
  context: {
    mode: Mode;
    now: Date;
    source: ChangeSource;
    /** Our KICC MIDs; when given, a payment through any other MID is not ours. */
    pgIds?: readonly string[];
  },
): Decision {
  if (payment.merchant_uid !== order.merchantUid) return { kind: "reject", reason: "merchant_uid_mismatch" };
  if (payment.pg_provider !== "kicc") return { kind: "reject", reason: "not_kicc" };
  if (context.pgIds?.length && !context.pgIds.includes(payment.pg_id ?? "")) {
    return { kind: "reject", reason: "unknown_mid" };
  }
  // A test-channel payment passes a naive amount + status check: in live mode it is never money.
  if (context.mode === "live" && payment.sandbox)
    return { kind: "reject", reason: "test_channel_in_live_mode" };

  const at = context.now.toISOString();
  const stamp = (patch: Partial<Order>): Order => ({
    ...order,
    ...patch,
    version: order.version + 1,
    updatedAt: at,
  });
  const amountMatches = payment.amount === order.amount && payment.currency === order.currency;
  const refundable = refundableBalance(payment);
  const paid = holdsMoney(payment);

  // A payment this order already gave back (or is giving back) is not looked at again.
  if (order.refundsOwed?.includes(payment.imp_uid))
    return { kind: "none", reason: "refund owed already decided" };

  // Every payment under the merchant_uid but the one the order keeps is refunded in full (the policy table):
  // a second payment beside a settled one, or anything beside a forged one.
  const keeps = order.status === "forged" ? order.forgery?.impUid : order.impUid;
  const settled = order.status === "forged" || !OPEN_FOR_PAYMENT.has(order.status);
  if (settled && keeps && keeps !== payment.imp_uid) {
    if (!paid || refundable === 0) return { kind: "none", reason: "other attempt" };
    return {
      kind: "refund_other",
      refundable,
      reason: `second payment ${payment.imp_uid} of ${payment.amount} under this merchant_uid; the order keeps ${keeps}: refunded in full`,
      next: stamp({ refundsOwed: [...(order.refundsOwed ?? []), payment.imp_uid] }),
    };
  }

  if (order.status === "forged") {
    const forgery = order.forgery;
    if (paid && refundable > 0 && (forgery?.refund === "none" || !forgery)) {
      return {
        kind: "refund_forged",
        refundable,
        reason: "forged order still holds money at iamport",
        // Due for the reconciler at once: it re-reads the payment until the refund owed is done.
        next: stamp({
          forgery: { ...(forgery ?? newForgery(order, payment)), refund: "pending" },
          checkAfter: at,
        }),
      };
    }
    if (paid && refundable > 0 && forgery?.refund === "pending") {
      return { kind: "refund_forged", refundable, reason: "carrying out the forgery refund" };
    }
    if (forgery && forgery.refund !== "done" && forgery.refund !== "none" && refundable === 0) {
      return {
        kind: "transition",
        reason: "forgery refund confirmed by iamport",
        next: stamp({
          forgery: { ...forgery, refund: "done", refundedAmount: payment.cancel_amount },
          checkAfter: undefined,
        }),
      };
    }
    return { kind: "none", reason: "forged is terminal" };
  }

  const paidOrIssued = paid || (payment.status === "ready" && isIssuedVirtualAccount(payment));
  if (paidOrIssued && !amountMatches && order.status !== "paid" && !REFUNDABLE.has(order.status)) {
    const forgery = newForgery(order, payment);
    if (paid && refundable > 0) {
      return {
        kind: "refund_forged",
        refundable,
        reason: `amount mismatch: paid ${payment.amount} ${payment.currency}, expected ${order.amount} ${order.currency}`,
        next: stamp({
          status: "forged",
          impUid: payment.imp_uid,
          forgery: { ...forgery, refund: "pending" },
          checkAfter: at,
        }),
      };
    }
    // Nothing to refund until the buyer deposits: the reconciler watches the account until its
    // deadline, so a deposit whose webhook is lost is still found and refunded.
    const vbank = virtualAccountOf(payment, at);
    return {
      kind: "transition",
      reason: `amount mismatch on an issued virtual account: ${payment.amount}, expected ${order.amount}`,
      next: stamp({
        status: "forged",
        impUid: payment.imp_uid,
        forgery,
        vbank,
        checkAfter: nextDepositCheck(vbank.dueAt, context.now),
      }),
    };
  }

  if (OPEN_FOR_PAYMENT.has(order.status)) {
    if (paid) {
      return {
        kind: "transition",
        reason: "iamport reports the payment paid with the expected amount",
        next: stamp({
          status: "paid",
          impUid: payment.imp_uid,
          paidAt: unixToIso(payment.paid_at) ?? at,
          failReason: undefined,
          checkAfter: undefined,
        }),
      };
    }
    if (payment.status === "ready" && isIssuedVirtualAccount(payment)) {
      if (order.status === "awaiting_deposit")
        return { kind: "none", reason: "virtual account already recorded" };
      // The account this order expired on stays expired at iamport as `ready`: a replay must not reopen it.
      if (order.status === "expired" && order.impUid === payment.imp_uid)
        return { kind: "none", reason: "virtual account already expired" };
      const vbank = virtualAccountOf(payment, at);
      return {
        kind: "transition",
        reason: "virtual account issued; waiting for the deposit",
        next: stamp({
          status: "awaiting_deposit",
          impUid: payment.imp_uid,
          vbank,
          checkAfter: nextDepositCheck(vbank.dueAt, context.now),
        }),
      };
    }
    if (payment.status === "failed" && order.status === "pending") {
      return {
        kind: "transition",
        reason: payment.fail_reason || "payment failed",
        next: stamp({
          status: "failed",
          impUid: payment.imp_uid,
          failReason: payment.fail_reason || "payment failed",
        }),
      };
    }
    return { kind: "none", reason: `payment is ${payment.status}; nothing to apply` };
  }

  if (REFUNDABLE.has(order.status) && payment.cancel_amount > order.refundedAmount) {
    const refunded = Math.min(payment.cancel_amount, order.amount);
    return {
      kind: "transition",
      reason: `iamport reports ${payment.cancel_amount} of ${payment.amount} cancelled`,
      next: stamp({
        status: refunded >= order.amount ? "refunded" : "partially_refunded",
        refundedAmount: refunded,
        refunds: refundsFrom(payment),
        // iamport's record is applied: a reconciliation flag (balance mismatch) is settled.
        checkAfter: undefined,
      }),
    };
  }
  return { kind: "none", reason: `order already ${order.status}` };
}

/**
 * A deposit is usually announced only by a webhook; if that webhook is lost the
 * buyer has paid but the order would wait until the deadline (days). The
 * reconciler therefore looks at an open virtual account hourly, one iamport
 * read per account per hour.
 */
export const DEPOSIT_POLL_MS = 60 * 60_000;

/** The earlier of the deposit deadline and the next hourly look. */
export function nextDepositCheck(dueAt: string, now: Date): string {
  const due = Date.parse(dueAt);
  const poll = now.getTime() + DEPOSIT_POLL_MS;
  return new Date(Number.isNaN(due) ? poll : Math.min(due, poll)).toISOString();
}

/** `ready` means an issued virtual account only for vbank with its fields; an abandoned window is `ready` too. */
export function isIssuedVirtualAccount(payment: PaymentFacts): boolean {
  return payment.pay_method === "vbank" && Boolean(payment.vbank_num);
}

function virtualAccountOf(payment: PaymentFacts, fallbackDue: string): VirtualAccount {
  return {
    bankName: payment.vbank_name ?? "",
    ...(payment.vbank_code ? { bankCode: payment.vbank_code } : {}),
    number: payment.vbank_num ?? "",
    holder: payment.vbank_holder ?? "",
    dueAt: unixToIso(payment.vbank_date) ?? fallbackDue,
  };
}

function newForgery(order: Order, payment: PaymentFacts) {
  return {
    impUid: payment.imp_uid,
    paidAmount: payment.amount,
    expectedAmount: order.amount,
    refund: "none" as const,
    refundedAmount: payment.cancel_amount,
  };
}

/** The refund list from iamport's `cancel_history`, keyed by `cancellation_id`. */
export function refundsFrom(payment: PaymentFacts): Refund[] {
  const byId = new Map<string, Refund>();
  for (const [index, entry] of (payment.cancel_history ?? []).entries()) {
    const id = entry.cancellation_id || `${payment.imp_uid}:${entry.cancelled_at}:${index}`;
    byId.set(id, {
      cancellationId: id,
      amount: entry.amount,
      reason: entry.reason ?? "",
      cancelledAt: unixToIso(entry.cancelled_at) ?? "",
    });
  }
  return [...byId.values()];
}
