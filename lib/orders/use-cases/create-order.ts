/**
 * `POST /orders`: pre-register the amount at iamport (so a tampered amount is
 * refused before the window opens), store the pending order and hand back the
 * exact `IMP.request_pay` params. A retry of the same request returns the
 * same order; the same merchant_uid with a different body is a conflict.
 */
import { ConflictError, RetryLaterError, ValidationError } from "../../errors.js";
import { ensurePrepared, PreparedAmountConflictError } from "../../iamport/ensure-prepared.js";
import type { CreateOrderRequest } from "../../kicc/create-order-request.js";
import { buildRequestPayParams } from "../../kicc/request-pay.js";
import { isVbankDueInFuture } from "../../kicc/vbank-due.js";
import { hashRequest } from "../../request-hash.js";
import type { CreateOrderDeps } from "../deps.js";
import type { Order } from "../order.js";
import { merchantUidFor } from "../rules/merchant-uid.js";

export interface CreateOrderInput {
  request: CreateOrderRequest;
  /** `Idempotency-Key` header: names the order when the body has no merchant_uid. */
  idempotencyKey?: string;
}

export interface CreateOrderResult {
  order: Order;
  /** False when this was a retry that found the order already there. */
  created: boolean;
}

/**
 * Creates (or finds again) the order and makes sure iamport knows its amount.
 * @throws ValidationError for rules that need the clock or config (result_url origin, past vbank_due)
 * @throws ConflictError when the merchant_uid is taken by a different order or amount
 * @throws RetryLaterError when iamport cannot register the amount now (nothing is stored; retry the same request)
 */
export async function createOrder(
  deps: CreateOrderDeps,
  input: CreateOrderInput,
): Promise<CreateOrderResult> {
  const { request } = input;
  const now = deps.clock();
  checkContextRules(deps, request, now);

  const merchantUid = request.merchant_uid ?? merchantUidFor(input.idempotencyKey);
  const requestHash = hashRequest({ ...request, merchant_uid: merchantUid });
  const at = now.toISOString();
  const draft: Order = {
    merchantUid,
    status: "pending",
    version: 1,
    amount: request.amount,
    taxFree: request.tax_free ?? 0,
    currency: "KRW",
    name: request.name,
    payMethod: request.pay_method,
    buyer: {
      tel: request.buyer_tel,
      ...(request.buyer_name ? { name: request.buyer_name } : {}),
      ...(request.buyer_email ? { email: request.buyer_email } : {}),
      ...(request.buyer_addr ? { addr: request.buyer_addr } : {}),
      ...(request.buyer_postcode ? { postcode: request.buyer_postcode } : {}),
    },
    escrow: request.escrow ?? false,
    ...(request.kiccProducts ? { kiccProducts: request.kiccProducts } : {}),
    ...(request.result_url ? { resultUrl: request.result_url } : {}),
    requestPay: buildRequestPayParams(request, {
      merchantUid,
      pg: deps.settings.pg,
      mRedirectUrl: deps.settings.mRedirectUrl,
      ...(deps.settings.noticeUrl ? { noticeUrl: deps.settings.noticeUrl } : {}),
      now,
      defaultVbankDueHours: deps.settings.defaultVbankDueHours,
    }),
    requestHash,
    prepared: true,
    refundedAmount: 0,
    refunds: [],
    checkAfter: new Date(now.getTime() + deps.settings.pendingMinutes * 60_000).toISOString(),
    createdAt: at,
    updatedAt: at,
  };

  // The amount is registered first and the order written once, already prepared: one write, and no
  // order ever exists that the window could open with an unregistered amount. A retry registers again
  // (iamport already holds the same amount: nothing changes) and finds the order.
  await registerAmount(deps, draft, requestHash);
  const created = await deps.orders.create(draft, {
    version: 1,
    at,
    from: null,
    to: "pending",
    source: "api",
    reason: "order created",
  });
  if (created.created) return { order: draft, created: true };
  if (created.existing.requestHash !== requestHash) throw merchantUidTaken(merchantUid);
  return { order: created.existing, created: false };
}

function merchantUidTaken(merchantUid: string): ConflictError {
  return new ConflictError(
    `merchant_uid ${merchantUid} is already used by a different order`,
    "merchant_uid_taken",
  );
}

async function registerAmount(deps: CreateOrderDeps, order: Order, requestHash: string): Promise<void> {
  try {
    await ensurePrepared(deps.iamport, {
      merchantUid: order.merchantUid,
      amount: order.amount,
      currency: "KRW",
    });
  } catch (error) {
    if (error instanceof PreparedAmountConflictError) {
      // Another order of ours under this merchant_uid holds that amount: say which conflict it is.
      const existing = await deps.orders.get(order.merchantUid);
      if (existing && existing.requestHash !== requestHash) throw merchantUidTaken(order.merchantUid);
      throw new ConflictError(
        `iamport already holds a different amount for merchant_uid ${order.merchantUid}`,
        "prepared_amount_conflict",
      );
    }
    deps.logger.warn("amount pre-registration failed; nothing was stored, the request may be retried", {
      error,
    });
    throw new RetryLaterError("iamport could not pre-register the amount; retry the same request", {
      cause: error,
    });
  }
}

function checkContextRules(deps: CreateOrderDeps, request: CreateOrderRequest, now: Date): void {
  const issues = [];
  if (request.result_url && !deps.settings.resultOrigins.includes(new URL(request.result_url).origin)) {
    issues.push({ field: "result_url", reason: "origin is not one of this deployment's result origins" });
  }
  if (request.vbank_due && !isVbankDueInFuture(request.vbank_due, now)) {
    issues.push({ field: "vbank_due", reason: "must be in the future (Asia/Seoul time)" });
  }
  if (issues.length) throw new ValidationError(issues);
}
