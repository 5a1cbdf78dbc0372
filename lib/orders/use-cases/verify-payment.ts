/**
 * The one verification every door uses (PC callback, mobile redirect, webhook,
 * reconciler): re-read the payment from iamport, decide with the pure rules,
 * write conditionally, refund a forged amount. Bodies of notifications are
 * hints; only iamport's record decides (invariant 1).
 */

import { RetryLaterError } from "../../errors.js";
import { IamportApiError, IamportNotFoundError } from "../../iamport/errors.js";
import { newOwedRefund, type OwedRefund } from "../../ledger/owed-refund.js";
import { payOwedRefund } from "../../ledger/pay-owed-refund.js";
import type { Logger } from "../../observability/logger.js";
import type { VerifyPaymentDeps } from "../deps.js";
import type { ChangeSource, Order, OrderEvent } from "../order.js";
import type { InboundNotification } from "../ports.js";
import { type Decision, decideOrderUpdate } from "../rules/order-machine.js";
import { choosePayment, holdsMoney, type PaymentFacts } from "../rules/payment-facts.js";

export interface VerifyPaymentInput {
  /** From the notification: a hint to look up, never trusted. */
  impUid?: string;
  merchantUid: string;
  source: ChangeSource;
  /** The order as the caller just read it (saves a read; a stale copy only costs a retry round). */
  order?: Order;
  /**
   * The notification to keep as evidence, built from the payment it named: written inside the order's
   * own transaction when the payment changes the order (one write instead of two). Undefined: nothing to
   * keep (the same notification is stored already).
   */
  note?: (payment: PaymentFacts) => InboundNotification | undefined;
}

export type VerifyOutcome = "applied" | "unchanged" | "rejected" | "unknown_order" | "no_payment";

export interface VerifyPaymentResult {
  outcome: VerifyOutcome;
  order: Order | null;
  /** iamport's record the decision was made from, when there was one. */
  payment?: PaymentFacts;
  /** Every attempt under the merchant_uid, when they were read by merchant_uid (newest first). */
  payments?: PaymentFacts[];
  reason: string;
  /** The input's note was stored (or found stored already) with the order's change: nothing left to keep. */
  noteRecorded?: boolean;
}

/** Races lost to a concurrent writer before giving up; each retry re-reads the order. */
const MAX_ROUNDS = 6;

/**
 * Brings the order in line with iamport's record of the payment.
 * @throws RetryLaterError when iamport cannot be read or a forgery refund is not yet confirmed
 */
export async function verifyPayment(
  deps: VerifyPaymentDeps,
  input: VerifyPaymentInput,
): Promise<VerifyPaymentResult> {
  const log = deps.logger.child({
    merchant_uid: input.merchantUid,
    imp_uid: input.impUid,
    source: input.source,
  });
  const order = input.order ?? (await deps.orders.get(input.merchantUid));
  if (!order) return { outcome: "unknown_order", order: null, reason: "no such order" };

  const payments = await readPayments(deps, input);
  const payment = choosePayment(payments);
  if (!payment) return { outcome: "no_payment", order, reason: "iamport has no payment for this order" };
  if (payment.merchant_uid !== input.merchantUid) {
    // Anyone can name any imp_uid at a public door: counted as a spoof attempt (alarmed on a rate), never paged.
    log.warn("the payment named belongs to another order (spoof attempt?)", {
      signal: "spoofed_imp_uid",
      payment_merchant_uid: payment.merchant_uid,
    });
    return { outcome: "rejected", order, payment, reason: "imp_uid does not belong to this merchant_uid" };
  }

  const note = input.note?.(payment);
  const result = await applyPaymentRecord(
    deps,
    { order, payment, source: input.source, ...(note ? { note } : {}) },
    log,
  );
  // Read by merchant_uid: every other attempt that holds money is a payment the order does not keep
  // (a second virtual account deposited, say); each is decided too, so none is left unaccounted for.
  let current = result.order ?? order;
  let applied = result.outcome === "applied";
  for (const other of payments) {
    if (other === payment || !holdsMoney(other) || other.merchant_uid !== input.merchantUid) continue;
    const more = await applyPaymentRecord(
      deps,
      { order: current, payment: other, source: input.source },
      log,
    );
    current = more.order ?? current;
    applied ||= more.outcome === "applied";
  }
  return {
    ...result,
    order: current,
    ...(applied ? { outcome: "applied" as const } : {}),
    ...(input.impUid ? {} : { payments }),
  };
}

/**
 * Applies iamport's `payment` record to `order` with the pure rules: conditional
 * writes (a lost race re-reads and decides again) and the forgery refund. Used
 * by {@link verifyPayment} after its lookup and by the refund use case with the
 * record iamport returned from the cancel itself.
 * @throws RetryLaterError when a forgery refund is not yet confirmed or the order keeps changing
 */
export async function applyPaymentRecord(
  deps: VerifyPaymentDeps,
  input: { order: Order; payment: PaymentFacts; source: ChangeSource; note?: InboundNotification },
  log: Logger = deps.logger.child({ merchant_uid: input.order.merchantUid, source: input.source }),
): Promise<VerifyPaymentResult> {
  const state = { note: input.note, noteRecorded: false };
  const result = await applyRounds(deps, input, log, state);
  return state.noteRecorded ? { ...result, noteRecorded: true } : result;
}

async function applyRounds(
  deps: VerifyPaymentDeps,
  input: { order: Order; payment: PaymentFacts; source: ChangeSource },
  log: Logger,
  state: { note: InboundNotification | undefined; noteRecorded: boolean },
): Promise<VerifyPaymentResult> {
  let { order, payment } = input;
  let refundTried = false;
  let applied = false;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const decision = decideOrderUpdate(order, payment, {
      mode: deps.mode,
      now: deps.clock(),
      source: input.source,
      ...(deps.pgIds ? { pgIds: deps.pgIds } : {}),
    });
    if (decision.kind === "none") {
      return { outcome: applied ? "applied" : "unchanged", order, payment, reason: decision.reason };
    }
    if (decision.kind === "reject") {
      log.error(`ALERT payment refused: ${decision.reason}`, {
        alert: decision.reason,
        amount: payment.amount,
        sandbox: payment.sandbox,
      });
      return { outcome: "rejected", order, payment, reason: decision.reason };
    }
    const owed = refundOwedFor(order, payment, decision, deps.clock());
    if (decision.next) {
      const event: OrderEvent = {
        version: decision.next.version,
        at: decision.next.updatedAt,
        from: order.status,
        to: decision.next.status,
        source: input.source,
        reason: decision.reason,
        impUid: payment.imp_uid,
      };
      let pendingOwed = owed;
      let result = await deps.orders.save(order, decision.next, event, pendingOwed, state.note);
      // Only the extras were refused: the refund owed was decided already (by the sweep, say), or the note
      // is stored already or the order holds its maximum. The order's change is written without them.
      for (let extra = 0; extra < 2 && !result.saved && (result.owedExists || result.noteRefused); extra++) {
        if (result.owedExists) pendingOwed = undefined;
        if (result.noteRefused) {
          if (result.noteRefused === "capped")
            log.warn("notification not stored: the order holds its maximum of notes");
          state.note = undefined;
          state.noteRecorded = true;
        }
        result = await deps.orders.save(order, decision.next, event, pendingOwed, state.note);
      }
      if (result.saved && state.note) {
        state.note = undefined;
        state.noteRecorded = true;
      }
      if (!result.saved) {
        if (!result.current) throw new Error(`order ${order.merchantUid} vanished during verification`);
        order = result.current; // lost a race: decide again from the winner's state
        continue;
      }
      alertFor(order, decision, payment, log);
      order = decision.next;
      applied = true;
      log.info("order updated", { from: event.from, to: event.to, reason: decision.reason });
    } else if (owed) {
      // A decision made before this code wrote refunds owed (or one whose item was lost) gets its item now.
      await deps.owedRefunds.putIfAbsent(owed);
    }
    if (decision.kind === "transition") continue;

    // refund_forged / refund_other: invariant 2. The decision is stored; now carry the refund out.
    if (refundTried) {
      return { outcome: applied ? "applied" : "unchanged", order, payment, reason: decision.reason };
    }
    refundTried = true;
    const stored = await deps.owedRefunds.get(
      { kind: "order", merchantUid: order.merchantUid },
      payment.imp_uid,
    );
    if (!stored) continue;
    const after = await payOwedRefund(deps, stored);
    if (after.state === "needs_account" && order.forgery?.impUid === payment.imp_uid) {
      order = await markForgeryNeedsAccount(deps, order, log);
      return {
        outcome: "applied",
        order,
        payment,
        reason: "the forgery refund needs the buyer's bank account",
      };
    }
    payment = await rereadAfterRefund(deps, payment, log);
  }
  throw new RetryLaterError(`order ${order.merchantUid} kept changing during verification`);
}

/** The refund owed that a refund decision writes (none for a plain transition). */
function refundOwedFor(
  order: Order,
  payment: PaymentFacts,
  decision: Decision,
  now: Date,
): OwedRefund | undefined {
  if (decision.kind !== "refund_forged" && decision.kind !== "refund_other") return undefined;
  const forged = decision.kind === "refund_forged";
  return newOwedRefund(
    {
      impUid: payment.imp_uid,
      merchantUid: order.merchantUid,
      owner: { kind: "order", merchantUid: order.merchantUid },
      reason: forged ? "forged" : "second_payment",
      alert: forged ? "forgery_refunded" : "second_payment_refunded",
      detail: forged
        ? `paid ${payment.amount} for an order of ${order.amount}`
        : `a second payment of ${payment.amount} under ${order.merchantUid}, which keeps ${order.impUid ?? order.forgery?.impUid}`,
      payment,
    },
    now,
  );
}

/** The alert a person needs for a decision just written. */
function alertFor(before: Order, decision: Decision, payment: PaymentFacts, log: Logger): void {
  if (decision.kind === "refund_other") {
    log.error("ALERT second payment under one order: refunding it in full", {
      alert: "second_payment",
      amount: payment.amount,
      kept_imp_uid: before.impUid ?? before.forgery?.impUid,
    });
  } else if (
    decision.kind !== "none" &&
    decision.kind !== "reject" &&
    decision.next?.status === "forged" &&
    before.status !== "forged"
  ) {
    log.error("ALERT amount mismatch: the payment is refunded in full (a virtual account once deposited)", {
      alert: "amount_mismatch",
      paid: payment.amount,
      expected: before.amount,
      pay_method: payment.pay_method,
    });
  }
}

/** The forged order stops waiting on the reconciler: its refund owed waits for the merchant. */
async function markForgeryNeedsAccount(deps: VerifyPaymentDeps, order: Order, log: Logger): Promise<Order> {
  let current: Order | null = order;
  for (let round = 0; round < 3 && current?.forgery; round++) {
    if (current.forgery.refund !== "pending") return current;
    const at = deps.clock().toISOString();
    const next: Order = {
      ...current,
      forgery: { ...current.forgery, refund: "needs_account" },
      checkAfter: undefined,
      version: current.version + 1,
      updatedAt: at,
    };
    const saved = await deps.orders.save(current, next, {
      version: next.version,
      at,
      from: current.status,
      to: next.status,
      source: "reconciler",
      reason: "the forgery refund waits for the buyer's bank account (a deposited virtual account)",
      impUid: current.forgery.impUid,
    });
    if (saved.saved) return next;
    current = saved.current;
  }
  log.warn("could not mark the forgery refund as waiting for an account");
  return current ?? order;
}

async function readPayments(deps: VerifyPaymentDeps, input: VerifyPaymentInput): Promise<PaymentFacts[]> {
  try {
    if (input.impUid) return [await deps.iamport.getPayment(input.impUid)];
    return await deps.iamport.findAllPayments(input.merchantUid);
  } catch (error) {
    if (error instanceof IamportNotFoundError) return [];
    throw asRetryLater(error, "iamport payment lookup failed");
  }
}

/** iamport's record after the refund executor ran; decided again from the truth. */
async function rereadAfterRefund(
  deps: VerifyPaymentDeps,
  payment: PaymentFacts,
  log: Logger,
): Promise<PaymentFacts> {
  try {
    return await deps.iamport.getPayment(payment.imp_uid);
  } catch (error) {
    log.warn("dependency unavailable: re-read after a refund owed failed; the reconciler goes on", { error });
    return payment;
  }
}

function asRetryLater(error: unknown, message: string): Error {
  if (
    error instanceof IamportApiError &&
    !(error instanceof IamportNotFoundError) &&
    error.httpStatus < 500
  ) {
    return error;
  }
  return new RetryLaterError(message, { cause: error });
}
