/**
 * One attempt at a refund that owns its request: the cancel at iamport and
 * what each answer means. A success is applied through the same rules as
 * every door; a refusal is stored and replayed; an unknown outcome is looked
 * up before it is answered, and never retried blind.
 */
import { ConflictError, RetryLaterError } from "../../errors.js";
import { IamportApiError } from "../../iamport/errors.js";
import type { Logger } from "../../observability/logger.js";
import type { RefundOrderDeps, RefundOrderResult } from "../deps.js";
import type { Order } from "../order.js";
import type { RefundPlan, RefundRefusal, RefundRequestRecord, RefundResult } from "../refund.js";
import { type CancelEntry, findOurCancellation } from "../rules/find-our-cancellation.js";
import { type PaymentFacts, refundableBalance, unixToIso } from "../rules/payment-facts.js";
import { orderRefundable } from "../rules/refund-rules.js";
import { flagForReconciliation } from "./flag-for-reconciliation.js";
import { applyPaymentRecord } from "./verify-payment.js";

/**
 * An earlier attempt may have cancelled at iamport without recording it: look
 * first. If the cancel is not there, sending it again is safe because it
 * carries the same `checksum`: iamport refuses it if any cancel moved the balance since.
 */
export async function lookUpThenCancel(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  plan: RefundPlan,
  log: Logger,
): Promise<RefundOrderResult> {
  const payment = await readOrRetryLater(deps, record);
  const entry = await findOurs(deps, record, payment);
  if (entry) return complete(deps, record, payment, entry, log);
  return cancelAtIamport(deps, record, plan, log);
}

/**
 * Our cancel in iamport's history, if it is there and no other request of the
 * order owns it: found by its place in the history (findOurCancellation), then
 * claimed by its cancellation_id with a conditional write, so one cancel is
 * never reported as the outcome of two requests.
 */
async function findOurs(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  payment: PaymentFacts,
): Promise<CancelEntry | undefined> {
  const others = (await deps.refunds.listForOrder(record.merchantUid)).filter(
    (other) => other.idempotencyKey !== record.idempotencyKey,
  );
  const owned = new Set(
    others.flatMap((other) => (other.result?.cancellationId ? [other.result.cancellationId] : [])),
  );
  return claim(deps, record, findOurCancellation(payment, record.plan, owned));
}

/** One owner per cancellation: the entry is ours only once its claim names this request. */
async function claim(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  entry: CancelEntry | undefined,
): Promise<CancelEntry | undefined> {
  if (!entry?.cancellation_id) return entry;
  const owner = await deps.refunds.claimCancellation(
    record.merchantUid,
    entry.cancellation_id,
    record.idempotencyKey,
  );
  return owner === record.idempotencyKey ? entry : undefined;
}

export async function cancelAtIamport(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  plan: RefundPlan,
  log: Logger,
  /** The order as the plan read it: applying the result starts from it (a stale copy costs a retry round). */
  order?: Order,
): Promise<RefundOrderResult> {
  let payment: PaymentFacts;
  try {
    payment = await deps.iamport.cancelPayment({
      impUid: plan.impUid,
      amount: plan.amount,
      checksum: plan.checksum,
      reason: plan.reason,
      ...(plan.sendTaxFree ? { taxFree: plan.taxFree } : {}),
      ...(plan.refundAccount
        ? {
            refundHolder: plan.refundAccount.holder,
            refundBank: plan.refundAccount.bankCode,
            refundAccount: plan.refundAccount.account,
          }
        : {}),
    });
  } catch (error) {
    // code ≠ 0 or a 4xx: iamport answered and did not cancel.
    if (error instanceof IamportApiError) return refused(deps, record, error, log);
    return outcomeUnknown(deps, record, plan, error, log);
  }
  // iamport just accepted this cancel against `checksum`: the entry made at that balance is this one
  // (no other cancel can land at the same balance), so it is claimed without listing the others' first,
  // in the same write that stores the result.
  const entry = findOurCancellation(payment, record.plan);
  if (!entry) historyMismatch(log);
  return complete(deps, record, payment, entry, log, order, { claimWithResult: true });
}

function historyMismatch(log: Logger): void {
  log.error("ALERT iamport confirmed the cancel but its history has no matching entry", {
    alert: "cancel_history_mismatch",
  });
}

/**
 * Applies iamport's record to the order (the same rules as every door) and stores the answer. With
 * `claimWithResult`, `entry` is not claimed yet: its claim is made in the write that stores the result,
 * and an entry another request owns is reported as none (as a refused claim is everywhere else).
 */
async function complete(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  payment: PaymentFacts,
  entry: CancelEntry | undefined,
  log: Logger,
  known?: Order,
  options: { claimWithResult?: boolean } = {},
): Promise<RefundOrderResult> {
  const order = known ?? (await deps.orders.get(record.merchantUid));
  if (!order) throw new Error(`order ${record.merchantUid} vanished during a refund`);
  const applied = await applyPaymentRecord(deps, { order, payment, source: "api" }, log);
  const current = applied.order ?? order;
  const next = (found: CancelEntry | undefined): RefundRequestRecord => ({
    ...record,
    state: "succeeded",
    result: resultOf(record, found, current),
    updatedAt: deps.clock().toISOString(),
  });
  let stored = next(entry);
  let saved =
    options.claimWithResult && entry?.cancellation_id
      ? await deps.refunds.succeed(record, stored, entry.cancellation_id)
      : await deps.refunds.update(record, stored);
  if (!saved.saved && "cancellationOwner" in saved) {
    historyMismatch(log);
    stored = next(undefined);
    saved = await deps.refunds.update(record, stored);
  }
  if (!saved.saved && "current" in saved && saved.current?.state === "succeeded" && saved.current.result) {
    return { result: saved.current.result, replayed: true };
  }
  const result = stored.result as RefundResult;
  log.info("refund done", { amount: result.amount, cancellation_id: result.cancellationId });
  return { result, replayed: false };
}

/** What the merchant is told of a refund: iamport's entry when it is ours, else what was asked. */
function resultOf(record: RefundRequestRecord, entry: CancelEntry | undefined, current: Order): RefundResult {
  return {
    cancellationId: entry?.cancellation_id ?? null,
    amount: entry?.amount ?? record.plan.amount,
    taxFree: record.plan.sendTaxFree ? record.plan.taxFree : 0,
    reason: entry?.reason ?? record.plan.reason,
    cancelledAt: unixToIso(entry?.cancelled_at) ?? null,
    order: {
      status: current.status,
      amount: current.amount,
      refundedAmount: current.refundedAmount,
      refundableAmount: orderRefundable(current),
    },
  };
}

/**
 * iamport refused. Re-read to learn why: a balance other than our `checksum`
 * means iamport saw a cancel we have not (console, or a lost webhook). Nothing
 * is written to the order's money; it is flagged so the reconciler applies iamport's record.
 */
async function refused(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  error: IamportApiError,
  log: Logger,
): Promise<RefundOrderResult> {
  const payment = await deps.iamport.getPayment(record.plan.impUid).catch(() => null);
  const atIamport = payment ? refundableBalance(payment) : null;
  const othersInFlight = await otherRefundInFlight(deps, record);
  const order = await deps.orders.get(record.merchantUid);
  // Our own earlier cancel may have landed after its answer was lost, just before this one: then the
  // refusal (checksum) is iamport saying "done already", and the history shows it (never a second
  // refund). Only a request that sent before can have one there, and never while another refund of the
  // order is in flight (its cancel would look the same).
  if (payment && record.attempt > 1 && !othersInFlight) {
    const ours = await findOurs(deps, record, payment);
    if (ours) return complete(deps, record, payment, ours, log);
  }
  if (
    atIamport !== null &&
    atIamport !== record.plan.checksum &&
    (othersInFlight || (await movedByOurRecordedRefund(deps, record, order, atIamport)))
  ) {
    // Another refund of ours moved the balance (still in flight, or recorded since this one was planned):
    // nothing is wrong and nobody is paged. iamport answered, so nothing of this one was refunded now. It is
    // planned again on retry when it can have no cancel of its own at iamport: a first attempt, or a later one
    // whose look-up above searched the history (no other refund in flight) and found none of its own.
    const noCancelOfOurs = record.attempt === 1 || (payment !== null && !othersInFlight);
    await deps.refunds
      .update(record, {
        ...record,
        leaseUntil: deps.clock().toISOString(),
        ...(noCancelOfOurs ? { replan: true } : {}),
      })
      .catch(() => undefined);
    throw new ConflictError(
      "another refund of this order is in progress and changed its balance; retry with the same Idempotency-Key shortly",
      "refund_in_progress",
      { refundable_at_iamport: atIamport },
    );
  }
  let refusal: RefundRefusal;
  if (atIamport !== null && atIamport !== record.plan.checksum) {
    refusal = {
      code: "balance_mismatch",
      message: `iamport holds ${atIamport} refundable but this service believed ${record.plan.checksum}; nothing was refunded. The order is being reconciled with iamport: read it again and retry with a new Idempotency-Key`,
      details: { refundable_at_iamport: atIamport, refundable_believed: record.plan.checksum },
    };
  } else {
    refusal = {
      code: "refund_refused",
      message: `iamport refused the refund: ${error.message}`,
      details: { iamport_code: error.code },
    };
  }
  // Our own concurrent refund moves iamport's balance too; only a difference from the stored order needs the reconciler.
  if (order && (atIamport === null || atIamport !== orderRefundable(order))) {
    log.error(
      "ALERT refund refused and iamport's balance differs from the order's; flagged for reconciliation",
      {
        alert: "balance_mismatch",
        refundable_at_iamport: atIamport,
        refundable_in_order: orderRefundable(order),
        iamport_message: error.message,
      },
    );
    await flagForReconciliation(
      deps,
      order,
      `refund refused by iamport (${refusal.code}); balance to be reconciled`,
    );
  }
  await deps.refunds.update(record, {
    ...record,
    state: "refused",
    refusal,
    updatedAt: deps.clock().toISOString(),
  });
  throw refusalError(refusal);
}

/** Timeout, 5xx or a lost answer: the cancel may have happened. Look before answering; never cancel blind. */
async function outcomeUnknown(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  plan: RefundPlan,
  error: unknown,
  log: Logger,
): Promise<RefundOrderResult> {
  log.warn("refund outcome unknown; looking the payment up", { error });
  const payment = await deps.iamport.getPayment(plan.impUid).catch(() => null);
  const entry = payment ? await findOurs(deps, record, payment) : undefined;
  if (payment && entry) return complete(deps, record, payment, entry, log);
  // If the merchant never retries, the reconciler still re-reads the payment and applies any cancel.
  const order = await deps.orders.get(record.merchantUid);
  if (order)
    await flagForReconciliation(deps, order, "refund outcome unknown; to be read again from iamport");
  throw new RetryLaterError("the refund's outcome is not known yet; retry with the same Idempotency-Key", {
    cause: error,
  });
}

/**
 * Whether the balance iamport holds is the order's own, moved by another request of ours that succeeded
 * after this one was planned: every cancel iamport has is then one we recorded, none a stranger's.
 */
async function movedByOurRecordedRefund(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  order: Order | null,
  atIamport: number,
): Promise<boolean> {
  if (!order || orderRefundable(order) !== atIamport) return false;
  return (await deps.refunds.listForOrder(record.merchantUid)).some(
    (other) =>
      other.idempotencyKey !== record.idempotencyKey &&
      other.state === "succeeded" &&
      other.updatedAt >= record.createdAt,
  );
}

/** Whether another refund request of the order is still being carried out. */
async function otherRefundInFlight(deps: RefundOrderDeps, record: RefundRequestRecord): Promise<boolean> {
  const now = deps.clock().getTime();
  return (await deps.refunds.listForOrder(record.merchantUid)).some(
    (other) =>
      other.idempotencyKey !== record.idempotencyKey &&
      other.state === "in_progress" &&
      Date.parse(other.leaseUntil) > now,
  );
}

async function readOrRetryLater(deps: RefundOrderDeps, record: RefundRequestRecord): Promise<PaymentFacts> {
  try {
    return await deps.iamport.getPayment(record.plan.impUid);
  } catch (error) {
    throw new RetryLaterError("iamport could not be read to resume the refund; retry with the same key", {
      cause: error,
    });
  }
}

export function refusalError(refusal: RefundRefusal): ConflictError {
  return new ConflictError(refusal.message, refusal.code, refusal.details);
}
