/**
 * iamport's webhook for a subscription charge (its merchant_uid is one of
 * ours: `sub_<id>_<cycle>_<attempt>`). Stored first (invariant 5), then the
 * payment is re-read from iamport and applied to the attempt through the same
 * settling as the consumer's, so webhook and consumer converge whatever their
 * order. The body is a hint, never a fact.
 *
 * A paid webhook for an attempt already settled as NOT paid (a refusal that
 * was charged after all) is re-read too: it becomes the cycle's payment while
 * the cycle still waits for one, and is refunded in full once otherwise (the
 * cycle paid by another attempt, skipped, or no longer charged).
 */
import { RetryLaterError } from "../../errors.js";
import { IamportNotFoundError } from "../../iamport/errors.js";
import type { Payment } from "../../iamport/schemas.js";
import { capFields, webhookNoteStatus } from "../../inbound-notes.js";
import type { ChargeDeps } from "../deps.js";
import { isSubscriptionChargeUid, parseChargeMerchantUid } from "../rules/merchant-uid.js";
import { applyChargePayment } from "../settlement/index.js";
import type { Subscription } from "../subscription.js";

export { isSubscriptionChargeUid };

export type ChargeNotificationOutcome =
  | "applied"
  | "unchanged"
  | "rejected"
  /** A paid charge the cycle did not want (already paid, skipped, ended): refunded in full. */
  | "refunded"
  | "unknown_charge"
  | "no_payment";

export interface ChargeNotificationResult {
  outcome: ChargeNotificationOutcome;
  subscription: Subscription | null;
}

/**
 * @throws RetryLaterError when iamport cannot be read now (a 503 brings iamport's retry back)
 */
export async function receiveChargeNotification(
  deps: ChargeDeps,
  note: { merchantUid: string; impUid: string; body: Record<string, unknown> },
): Promise<ChargeNotificationResult> {
  const ids = parseChargeMerchantUid(note.merchantUid);
  if (!ids) return { outcome: "unknown_charge", subscription: null };
  const log = deps.logger.child({ merchant_uid: note.merchantUid, imp_uid: note.impUid, source: "webhook" });
  // Every charge is claimed before iamport is called, so a webhook for an attempt we never claimed is
  // not ours: nothing is written (a public route must not let anyone add items to the table).
  const attempt = await deps.subscriptions.getAttempt(ids.subscriptionId, ids.cycle, ids.attempt);
  if (!attempt)
    return { outcome: "unknown_charge", subscription: await deps.subscriptions.get(ids.subscriptionId) };
  // Once per (imp_uid, status), fields capped, at most 50 per subscription: a repeated or guessed webhook
  // for a real charge cannot grow the partition (GET /subscriptions/{id} never reads the notes).
  const stored = await deps.subscriptions.recordNotification({
    subscriptionId: ids.subscriptionId,
    receivedAt: deps.clock().toISOString(),
    source: "webhook",
    impUid: note.impUid,
    status: webhookNoteStatus(note.body.status),
    body: capFields(note.body),
  });
  if (stored === "capped") log.warn("notification not stored: the subscription holds its maximum of notes");
  let payment: Payment;
  try {
    payment = await deps.iamport.getPayment(note.impUid);
  } catch (error) {
    if (error instanceof IamportNotFoundError) {
      return { outcome: "no_payment", subscription: await deps.subscriptions.get(ids.subscriptionId) };
    }
    throw new RetryLaterError("iamport payment lookup failed", { cause: error });
  }
  if (payment.merchant_uid !== attempt.merchantUid) {
    // Anyone can post a webhook naming any imp_uid: counted as a spoof attempt (alarmed on a rate), never paged.
    log.warn("webhook names a payment of another merchant_uid (spoof attempt?)", {
      signal: "spoofed_imp_uid",
      payment_merchant_uid: payment.merchant_uid,
    });
    return { outcome: "rejected", subscription: await deps.subscriptions.get(ids.subscriptionId) };
  }
  return applyChargePayment(deps, attempt, payment, "webhook", log);
}
