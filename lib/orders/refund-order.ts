/**
 * `POST /orders/{merchant_uid}/refunds`: refund all or part of a paid order,
 * once per Idempotency-Key. The request is stored (conditional write) before
 * iamport is called; the cancel carries `checksum`, so iamport itself refuses
 * a cancel made against a balance that moved. The order's refund state comes
 * from the payment iamport returns, through the same rules as every door.
 */
import { ConflictError, NotFoundError, RetryLaterError } from "../errors.js";
import { IamportApiError } from "../iamport/errors.js";
import type { CancelPaymentInput } from "../iamport/types.js";
import type { Logger } from "../observability/logger.js";
import type { RefundRequestsRepository } from "../store/refund-requests-repository.js";
import type { RefundOrderBody } from "./api-schemas.js";
import { hashRequest } from "./create-order.js";
import { flagForReconciliation } from "./flag-for-reconciliation.js";
import { type PaymentFacts, refundableBalance, unixToIso } from "./payment-facts.js";
import type { RefundPlan, RefundRefusal, RefundRequestRecord, RefundResult } from "./refund.js";
import { bankCodeOf, normaliseAccountNumber } from "./refund-bank.js";
import { orderRefundable, planRefund } from "./refund-rules.js";
import { applyPaymentRecord, type PaymentLookup, type VerifyPaymentDeps } from "./verify-payment.js";

export interface RefundOrderDeps extends VerifyPaymentDeps {
  iamport: PaymentLookup & { cancelPayment(input: CancelPaymentInput): Promise<PaymentFacts> };
  refunds: RefundRequestsRepository;
  sleep?: (ms: number) => Promise<void>;
  settings?: {
    /** How long an attempt owns a request; past it a retry looks up and takes over. Above the Lambda timeout. */
    leaseMs?: number;
    /** How long a duplicate waits for the attempt in progress before answering 409. */
    waitMs?: number;
  };
}

export interface RefundOrderInput {
  merchantUid: string;
  idempotencyKey: string;
  request: RefundOrderBody;
}

export interface RefundOrderResult {
  result: RefundResult;
  /** True when this answer is the stored result of an earlier request with the same key. */
  replayed: boolean;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_WAIT_MS = 8_000;
const POLL_MS = 250;

/**
 * Refunds `request.amount` (default: the whole refundable balance) of the order.
 * @throws NotFoundError for an unknown order
 * @throws ValidationError / ConflictError for refusals; nothing is written (see refund-rules.ts)
 * @throws ConflictError `idempotency_key_reused`, `refund_in_progress`, `balance_mismatch`, `refund_refused`
 * @throws RetryLaterError when iamport's answer is unknown: retry with the same key (it looks up first)
 */
export async function refundOrder(
  deps: RefundOrderDeps,
  input: RefundOrderInput,
): Promise<RefundOrderResult> {
  const log = deps.logger.child({ merchant_uid: input.merchantUid, idempotency_key: input.idempotencyKey });
  const requestHash = hashRequest({ merchant_uid: input.merchantUid, ...input.request });

  const existing = await deps.refunds.get(input.merchantUid, input.idempotencyKey);
  if (existing) return resume(deps, existing, input, requestHash, log);

  const order = await deps.orders.get(input.merchantUid);
  if (!order) throw new NotFoundError(`order ${input.merchantUid}`);
  const now = deps.clock();
  const plan = planRefund(order, input.request, now);

  const { refundAccount: _notStored, ...storedPlan } = plan;
  const record: RefundRequestRecord = {
    merchantUid: input.merchantUid,
    idempotencyKey: input.idempotencyKey,
    requestHash,
    state: "in_progress",
    attempt: 1,
    leaseUntil: new Date(now.getTime() + leaseMs(deps)).toISOString(),
    plan: storedPlan,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const claim = await deps.refunds.claim(record);
  if (!claim.claimed) return resume(deps, claim.existing, input, requestHash, log);
  return guarded(deps, record, () => cancelAtIamport(deps, record, plan, log));
}

/** A request with this key exists: replay it, wait for it, or take it over once its attempt has lapsed. */
async function resume(
  deps: RefundOrderDeps,
  found: RefundRequestRecord,
  input: RefundOrderInput,
  requestHash: string,
  log: Logger,
): Promise<RefundOrderResult> {
  if (found.requestHash !== requestHash) {
    throw new ConflictError(
      "this Idempotency-Key was used for a different refund request; use a new key for a new refund",
      "idempotency_key_reused",
    );
  }
  const waitUntil = Date.now() + (deps.settings?.waitMs ?? DEFAULT_WAIT_MS);
  let record: RefundRequestRecord | null = found;
  while (record) {
    if (record.state === "succeeded" && record.result) return { result: record.result, replayed: true };
    if (record.state === "refused" && record.refusal) throw refusalError(record.refusal);
    const now = deps.clock();
    if (Date.parse(record.leaseUntil) > now.getTime()) {
      if (Date.now() >= waitUntil) {
        throw new ConflictError(
          "a refund with this Idempotency-Key is still in progress; retry with the same key shortly",
          "refund_in_progress",
        );
      }
      await (deps.sleep ?? sleep)(POLL_MS);
      record = await deps.refunds.get(record.merchantUid, record.idempotencyKey);
      continue;
    }
    const next: RefundRequestRecord = {
      ...record,
      attempt: record.attempt + 1,
      leaseUntil: new Date(now.getTime() + leaseMs(deps)).toISOString(),
      updatedAt: now.toISOString(),
    };
    const taken = await deps.refunds.update(record, next);
    if (!taken.saved) {
      record = taken.current;
      continue;
    }
    log.warn("taking over a refund whose earlier attempt did not finish; looking it up first", {
      attempt: next.attempt,
    });
    const plan = planFromRecord(next, input.request);
    return guarded(deps, next, () => lookUpThenCancel(deps, next, plan, log));
  }
  throw new Error(`refund request ${input.idempotencyKey} vanished`);
}

/**
 * An earlier attempt may have cancelled at iamport without recording it: look
 * first. If the cancel is not there, sending it again is safe because it
 * carries the same `checksum`: iamport refuses it if any cancel moved the balance since.
 */
async function lookUpThenCancel(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  plan: RefundPlan,
  log: Logger,
): Promise<RefundOrderResult> {
  const payment = await readOrRetryLater(deps, record);
  const entry = findOurCancellation(payment, plan);
  if (entry) return complete(deps, record, payment, entry, log);
  return cancelAtIamport(deps, record, plan, log);
}

async function cancelAtIamport(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  plan: RefundPlan,
  log: Logger,
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
  const entry = findOurCancellation(payment, plan);
  if (!entry) log.error("ALERT iamport confirmed the cancel but its history has no matching entry");
  return complete(deps, record, payment, entry, log);
}

/** Applies iamport's record to the order (the same rules as every door) and stores the answer. */
async function complete(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  payment: PaymentFacts,
  entry: CancelEntry | undefined,
  log: Logger,
): Promise<RefundOrderResult> {
  const order = await deps.orders.get(record.merchantUid);
  if (!order) throw new Error(`order ${record.merchantUid} vanished during a refund`);
  const applied = await applyPaymentRecord(deps, { order, payment, source: "api" }, log);
  const current = applied.order ?? order;
  const result: RefundResult = {
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
  const saved = await deps.refunds.update(record, {
    ...record,
    state: "succeeded",
    result,
    updatedAt: deps.clock().toISOString(),
  });
  if (!saved.saved && saved.current?.state === "succeeded" && saved.current.result) {
    return { result: saved.current.result, replayed: true };
  }
  log.info("refund done", { amount: result.amount, cancellation_id: result.cancellationId });
  return { result, replayed: false };
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
): Promise<never> {
  const payment = await deps.iamport.getPayment(record.plan.impUid).catch(() => null);
  const atIamport = payment ? refundableBalance(payment) : null;
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
  const order = await deps.orders.get(record.merchantUid);
  // Our own concurrent refund moves iamport's balance too; only a difference from the stored order needs the reconciler.
  if (order && (atIamport === null || atIamport !== orderRefundable(order))) {
    log.error(
      "ALERT refund refused and iamport's balance differs from the order's; flagged for reconciliation",
      {
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
  const entry = payment ? findOurCancellation(payment, plan) : undefined;
  if (payment && entry) return complete(deps, record, payment, entry, log);
  throw new RetryLaterError("the refund's outcome is not known yet; retry with the same Idempotency-Key", {
    cause: error,
  });
}

type CancelEntry = NonNullable<PaymentFacts["cancel_history"]>[number];

/**
 * Our cancel in iamport's history: iamport executes it only while the balance
 * equals our `checksum`, so it is the entry of our amount that follows exactly
 * `amount - checksum` of earlier cancels (and carries our reason, when iamport
 * echoes one). That holds whatever else was cancelled afterwards.
 */
export function findOurCancellation(
  payment: PaymentFacts,
  plan: Pick<RefundPlan, "amount" | "checksum" | "reason">,
): CancelEntry | undefined {
  const history = [...(payment.cancel_history ?? [])].sort((a, b) => a.cancelled_at - b.cancelled_at);
  const before = payment.amount - plan.checksum;
  let sum = 0;
  for (const entry of history) {
    if (sum === before && entry.amount === plan.amount && (!entry.reason || entry.reason === plan.reason)) {
      return entry;
    }
    sum += entry.amount;
  }
  return undefined;
}

/** Unexpected failures end this attempt's lease, so a retry with the same key looks up at once. */
async function guarded(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  run: () => Promise<RefundOrderResult>,
): Promise<RefundOrderResult> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ConflictError)) {
      await deps.refunds
        .update(record, { ...record, leaseUntil: deps.clock().toISOString() })
        .catch((releaseError: unknown) =>
          deps.logger.warn("could not release a refund request", { error: releaseError }),
        );
    }
    throw error;
  }
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

/** The stored plan plus the refund account, which only the (identical) request carries. */
function planFromRecord(record: RefundRequestRecord, request: RefundOrderBody): RefundPlan {
  const { refund_holder, refund_bank, refund_account } = request;
  if (!refund_holder || !refund_bank || !refund_account) return record.plan;
  const bankCode = bankCodeOf(refund_bank);
  return bankCode
    ? {
        ...record.plan,
        refundAccount: {
          holder: refund_holder.trim(),
          bankCode,
          account: normaliseAccountNumber(refund_account),
        },
      }
    : record.plan;
}

function refusalError(refusal: RefundRefusal): ConflictError {
  return new ConflictError(refusal.message, refusal.code, refusal.details);
}

function leaseMs(deps: RefundOrderDeps): number {
  return deps.settings?.leaseMs ?? DEFAULT_LEASE_MS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
