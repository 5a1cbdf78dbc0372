/**
 * `POST /orders/{merchant_uid}/refunds`: refund all or part of a paid order,
 * once per Idempotency-Key. The request is stored (conditional write) before
 * iamport is called; the cancel carries `checksum`, so iamport itself refuses
 * a cancel made against a balance that moved. The order's refund state comes
 * from the payment iamport returns, through the same rules as every door.
 */
import { ConflictError, NotFoundError, ValidationError } from "../../errors.js";
import type { Logger } from "../../observability/logger.js";
import { hashRequest } from "../../request-hash.js";
import type { RefundOrderBody } from "../api-schemas.js";
import type { RefundOrderDeps, RefundOrderResult } from "../deps.js";
import type { RefundPlan, RefundRefusal, RefundRequestRecord } from "../refund.js";
import { planRefund, refundAccountFrom } from "../rules/refund-rules.js";
import { cancelAtIamport, lookUpThenCancel, refusalError } from "./refund-attempt.js";
import { owedPaymentNamed, refundOwedPayment } from "./refund-owed-payment.js";

export interface RefundOrderInput {
  merchantUid: string;
  idempotencyKey: string;
  request: RefundOrderBody;
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

  // One round trip for both: a retry finds its request, a new request its order to plan on.
  const { request: existing, order } = await deps.refunds.getWithOrder(
    input.merchantUid,
    input.idempotencyKey,
  );
  if (existing) return resume(deps, existing, input, requestHash, log);
  if (!order) throw new NotFoundError(`order ${input.merchantUid}`);
  // A payment the order does not keep is refunded through its refund owed (full, once, by imp_uid).
  const owedImpUid = owedPaymentNamed(order, input.request);
  if (owedImpUid) return refundOwedPayment(deps, order, owedImpUid, input.request);
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
  return guarded(deps, record, () => cancelAtIamport(deps, record, plan, log, order));
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
    // Refused only because another refund of ours moved the balance: plan again from the balance now.
    const replanned = record.replan ? await planAgain(deps, record, input, now) : null;
    if (replanned && "refusal" in replanned) {
      // Nothing is left to refund as asked (the other took it): the request ends refused, once for every retry.
      const refused = await deps.refunds.update(record, {
        ...record,
        state: "refused",
        refusal: replanned.refusal,
        replan: false,
        updatedAt: now.toISOString(),
      });
      if (!refused.saved) {
        record = refused.current;
        continue;
      }
      throw refusalError(replanned.refusal);
    }
    const next: RefundRequestRecord = {
      ...record,
      attempt: record.attempt + 1,
      leaseUntil: new Date(now.getTime() + leaseMs(deps)).toISOString(),
      updatedAt: now.toISOString(),
      ...(replanned ? { plan: replanned.stored, replan: false } : {}),
    };
    const taken = await deps.refunds.update(record, next);
    if (!taken.saved) {
      record = taken.current;
      continue;
    }
    log.warn("taking over a refund whose earlier attempt did not finish; looking it up first", {
      attempt: next.attempt,
    });
    // A replanned request never had a cancel land (iamport refused its only one): nothing to look up.
    if (replanned) return guarded(deps, next, () => cancelAtIamport(deps, next, replanned.plan, log));
    const plan = planFromRecord(next, input.request);
    return guarded(deps, next, () => lookUpThenCancel(deps, next, plan, log));
  }
  throw new Error(`refund request ${input.idempotencyKey} vanished`);
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

/**
 * The plan of `input` against the order as it is now, or the refusal of refund-rules.ts when nothing is
 * left to refund as asked (the order refunded meanwhile, an amount above what remains).
 */
async function planAgain(
  deps: RefundOrderDeps,
  record: RefundRequestRecord,
  input: RefundOrderInput,
  now: Date,
): Promise<{ plan: RefundPlan; stored: RefundRequestRecord["plan"] } | { refusal: RefundRefusal }> {
  const order = await deps.orders.get(record.merchantUid);
  if (!order) throw new NotFoundError(`order ${record.merchantUid}`);
  try {
    const plan = planRefund(order, input.request, now);
    const { refundAccount: _notStored, ...stored } = plan;
    return { plan, stored };
  } catch (error) {
    if (error instanceof ConflictError)
      return {
        refusal: {
          code: error.code,
          message: error.message,
          ...(error.details ? { details: error.details } : {}),
        },
      };
    if (error instanceof ValidationError)
      return {
        refusal: { code: "refund_refused", message: error.message, details: { issues: error.issues } },
      };
    throw error;
  }
}

/** The stored plan plus the refund account, which only the (identical) request carries. */
function planFromRecord(record: RefundRequestRecord, request: RefundOrderBody): RefundPlan {
  const refundAccount = refundAccountFrom(request);
  return refundAccount ? { ...record.plan, refundAccount } : record.plan;
}

function leaseMs(deps: RefundOrderDeps): number {
  return deps.settings?.leaseMs ?? DEFAULT_LEASE_MS;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
