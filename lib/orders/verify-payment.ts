/**
 * The one verification every door uses (PC callback, mobile redirect, webhook,
 * reconciler): re-read the payment from iamport, decide with the pure rules,
 * write conditionally, refund a forged amount. Bodies of notifications are
 * hints; only iamport's record decides (invariant 1).
 */

import { RetryLaterError } from "../errors.js";
import { IamportApiError, IamportNotFoundError } from "../iamport/errors.js";
import type { Logger } from "../observability/logger.js";
import type { OrdersRepository } from "../store/orders-repository.js";
import { decideOrderUpdate, type Mode } from "./decide-order-update.js";
import type { ChangeSource, Order, OrderEvent } from "./order.js";
import { choosePayment, type PaymentFacts } from "./payment-facts.js";

/** The slice of the iamport client verification needs. */
export interface PaymentLookup {
  getPayment(impUid: string): Promise<PaymentFacts>;
  findPayment(merchantUid: string): Promise<PaymentFacts | null>;
  /** Every attempt under the merchant_uid, newest first. */
  findAllPayments(merchantUid: string): Promise<PaymentFacts[]>;
  cancelPayment(request: {
    impUid: string;
    amount: number;
    checksum: number;
    reason: string;
  }): Promise<PaymentFacts>;
}

export interface VerifyPaymentDeps {
  iamport: PaymentLookup;
  orders: OrdersRepository;
  clock: () => Date;
  mode: Mode;
  /** Our KICC MIDs (payment and billing); empty accepts any KICC MID. */
  pgIds?: readonly string[];
  logger: Logger;
}

export interface VerifyPaymentInput {
  /** From the notification: a hint to look up, never trusted. */
  impUid?: string;
  merchantUid: string;
  source: ChangeSource;
  /** The order as the caller just read it (saves a read; a stale copy only costs a retry round). */
  order?: Order;
}

export type VerifyOutcome = "applied" | "unchanged" | "rejected" | "unknown_order" | "no_payment";

export interface VerifyPaymentResult {
  outcome: VerifyOutcome;
  order: Order | null;
  /** iamport's record the decision was made from, when there was one. */
  payment?: PaymentFacts;
  reason: string;
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

  const payment = await readPayment(deps, input);
  if (!payment) return { outcome: "no_payment", order, reason: "iamport has no payment for this order" };
  if (payment.merchant_uid !== input.merchantUid) {
    log.error("ALERT payment belongs to another order", {
      alert: "merchant_uid_mismatch",
      payment_merchant_uid: payment.merchant_uid,
    });
    return { outcome: "rejected", order, payment, reason: "imp_uid does not belong to this merchant_uid" };
  }

  return applyPaymentRecord(deps, { order, payment, source: input.source }, log);
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
  input: { order: Order; payment: PaymentFacts; source: ChangeSource },
  log: Logger = deps.logger.child({ merchant_uid: input.order.merchantUid, source: input.source }),
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
      const result = await deps.orders.save(order, decision.next, event);
      if (!result.saved) {
        if (!result.current) throw new Error(`order ${order.merchantUid} vanished during verification`);
        order = result.current; // lost a race: decide again from the winner's state
        continue;
      }
      order = decision.next;
      applied = true;
      log.info("order updated", { from: event.from, to: event.to, reason: decision.reason });
    }
    if (decision.kind === "transition") continue;

    // refund_forged: invariant 2. The order is already marked forged; now give the money back.
    if (refundTried) {
      throw new RetryLaterError(`forgery refund for ${order.merchantUid} not confirmed yet`);
    }
    refundTried = true;
    log.error("ALERT amount mismatch: refunding the full amount paid", {
      alert: "amount_mismatch",
      paid: payment.amount,
      expected: order.amount,
      refundable: decision.refundable,
    });
    payment = await cancelForgedPayment(deps, payment, decision.refundable, log);
  }
  throw new RetryLaterError(`order ${order.merchantUid} kept changing during verification`);
}

async function readPayment(deps: VerifyPaymentDeps, input: VerifyPaymentInput): Promise<PaymentFacts | null> {
  try {
    if (input.impUid) return await deps.iamport.getPayment(input.impUid);
    return choosePayment(await deps.iamport.findAllPayments(input.merchantUid));
  } catch (error) {
    if (error instanceof IamportNotFoundError) return null;
    throw asRetryLater(error, "iamport payment lookup failed");
  }
}

/**
 * Cancels what iamport still holds, with `checksum` so a cancel that already
 * happened (a retry after a lost response) is refused instead of repeated;
 * then re-reads the record so the caller decides from the truth.
 */
async function cancelForgedPayment(
  deps: VerifyPaymentDeps,
  payment: PaymentFacts,
  refundable: number,
  log: Logger,
): Promise<PaymentFacts> {
  try {
    return await deps.iamport.cancelPayment({
      impUid: payment.imp_uid,
      amount: refundable,
      checksum: refundable,
      reason: "결제 금액 불일치(위변조 의심) 자동 환불",
    });
  } catch (error) {
    log.warn("forgery refund call did not confirm; re-reading the payment", { error });
    try {
      // Balance 0 now means an earlier cancel went through; otherwise the next round retries later.
      return await deps.iamport.getPayment(payment.imp_uid);
    } catch (readError) {
      throw asRetryLater(readError, "iamport unavailable after a forgery refund attempt");
    }
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
