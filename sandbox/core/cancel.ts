import type { Engine } from "./engine.js";
import { IamportApiError } from "./errors.js";
import { receiptUrl } from "./payment.js";
import type { StoredPayment } from "./types.js";

export interface CancelRequest {
  imp_uid?: string;
  merchant_uid?: string;
  amount?: number;
  tax_free?: number;
  checksum?: number | null;
  reason?: string;
  refund_holder?: string;
  refund_bank?: string;
  refund_account?: string;
  /** Console cancels collect refund details themselves and always notify. */
  fromConsole?: boolean;
}

/** Business refusals are HTTP 200 with code 1 (fact sheet §5: "200 + code≠0 ⇒ failed"). */
function refuse(message: string): never {
  throw new IamportApiError(200, 1, message);
}

function findTarget(engine: Engine, req: CancelRequest): StoredPayment {
  // imp_uid wins: an invalid imp_uid fails even when merchant_uid is valid.
  if (req.imp_uid) {
    const p = engine.store.payments.get(req.imp_uid);
    if (!p) refuse("취소할 결제건이 존재하지 않습니다.");
    return p;
  }
  if (req.merchant_uid) {
    const candidates = engine.store.byMerchantUid(req.merchant_uid);
    const p =
      candidates.find((c) => holdsMoney(c)) ??
      candidates.find((c) => c.view.status === "ready" && c.view.vbank_num !== null);
    if (!p) refuse("취소할 결제건이 존재하지 않습니다.");
    return p;
  }
  // Neither id: nothing to cancel, in the one wording the reference records for cancel (fact sheet §2).
  return refuse("취소할 결제건이 존재하지 않습니다.");
}

/** Paid and not wholly cancelled: `paid`, or `cancelled` after a partial cancel in that mode. */
function holdsMoney(payment: StoredPayment): boolean {
  const v = payment.view;
  if (v.status === "paid") return true;
  return v.status === "cancelled" && v.cancel_amount > 0 && v.cancel_amount < v.amount;
}

/**
 * The status a cancel's webhook carries. Always `cancelled`, except a partial cancel in the
 * `stays-paid-webhook-paid` mode, whose webhook says what the payment now reads: `paid`.
 */
export function cancelWebhookStatus(engine: Engine, payment: StoredPayment): "paid" | "cancelled" {
  const partial = payment.view.cancel_amount > 0 && payment.view.cancel_amount < payment.view.amount;
  return partial && engine.modes.partialCancel === "stays-paid-webhook-paid" ? "paid" : "cancelled";
}

/**
 * Cancels all or part of a payment. A full cancel moves it to `cancelled`; a partial one keeps
 * `paid` or moves it to `cancelled` by the `partialCancel` mode (undocumented; see README).
 * Returns the cancellation id of the new history entry (null for an unpaid virtual account).
 */
export function cancelPayment(
  engine: Engine,
  req: CancelRequest,
): { payment: StoredPayment; cancellationId: string | null } {
  const payment = findTarget(engine, req);
  const v = payment.view;
  const now = engine.clock.now();
  if (v.status === "cancelled" && !holdsMoney(payment)) refuse("이미 전액취소된 주문입니다.");
  if (v.status === "ready" && v.vbank_num !== null) {
    // An issued account nobody paid into: closing it moves no money.
    v.status = "cancelled";
    v.cancelled_at = now;
    v.cancel_reason = req.reason ?? null;
    engine.touch(payment);
    return { payment, cancellationId: null };
  }
  if (!holdsMoney(payment)) refuse(`결제완료 상태가 아닌 결제건은 취소할 수 없습니다. (status: ${v.status})`);

  const balance = v.amount - v.cancel_amount;
  const requested = req.amount === undefined || req.amount === 0 ? balance : req.amount;
  if (!Number.isFinite(requested) || requested < 0) refuse("취소 요청금액이 올바르지 않습니다.");
  if (req.checksum !== undefined && req.checksum !== null && req.checksum !== balance)
    refuse(`checksum(${req.checksum})이 취소가능잔액(${balance})과 일치하지 않아 취소가 거절되었습니다.`);
  if (requested > balance) refuse(`취소요청금액(${requested})이 취소가능잔액(${balance})보다 큽니다.`);
  if (v.pay_method === "vbank" && !req.fromConsole) {
    if (!req.refund_holder || !req.refund_bank || !req.refund_account)
      refuse("가상계좌 환불에는 refund_holder, refund_bank, refund_account가 필요합니다.");
  }
  const taxFree = req.tax_free ?? 0;
  const taxFreeLeft = payment.meta.taxFree - payment.meta.cancelledTaxFree;
  if (taxFree < 0 || taxFree > requested) refuse("tax_free는 0 이상 취소요청금액 이하여야 합니다.");
  if (taxFree > taxFreeLeft)
    refuse(`면세 취소금액(${taxFree})이 취소가능한 면세금액(${taxFreeLeft})보다 큽니다.`);

  const cancellationId = engine.ids.cancellationId();
  const pgTid = v.pg_tid ?? engine.ids.pgTid();
  v.cancel_amount += requested;
  payment.meta.cancelledTaxFree += taxFree;
  v.cancel_reason = req.reason ?? null;
  v.cancel_history.push({
    pg_tid: pgTid,
    amount: requested,
    cancelled_at: now,
    reason: req.reason ?? "",
    cancellation_id: cancellationId,
    receipt_url: receiptUrl(engine.baseUrl, `${v.imp_uid}/${cancellationId}`),
  });
  v.cancel_receipt_urls.push(receiptUrl(engine.baseUrl, `${v.imp_uid}/${cancellationId}`));
  if (v.cancel_amount >= v.amount || engine.modes.partialCancel === "cancelled") {
    v.status = "cancelled";
    v.cancelled_at = now;
  }
  engine.touch(payment);
  return { payment, cancellationId };
}
