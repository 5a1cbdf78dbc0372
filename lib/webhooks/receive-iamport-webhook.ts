/**
 * iamport's V1 webhook carries only `{imp_uid, merchant_uid, status}`: the
 * merchant_uid says whose it is. A subscription charge's (`sub_…`) goes to
 * billing, anything else to orders; both store the notification first and
 * decide only from iamport's own record.
 */
import type { ChargeDeps } from "../billing/deps.js";
import {
  type ChargeNotificationOutcome,
  isSubscriptionChargeUid,
  receiveChargeNotification,
} from "../billing/use-cases/receive-charge-notification.js";
import type { VerifyPaymentDeps } from "../orders/deps.js";
import { receiveNotification } from "../orders/use-cases/receive-notification.js";
import type { VerifyOutcome } from "../orders/use-cases/verify-payment.js";

export interface WebhookResult {
  kind: "order" | "subscription";
  outcome: VerifyOutcome | ChargeNotificationOutcome;
  /** The order's or subscription's status after the webhook, when there is one. */
  status: string | null;
}

/** @throws RetryLaterError when iamport cannot be read now: answer 503 so iamport retries */
export async function receiveIamportWebhook(
  deps: { orders: VerifyPaymentDeps; billing: ChargeDeps },
  body: { imp_uid: string; merchant_uid: string } & Record<string, unknown>,
): Promise<WebhookResult> {
  const note = { merchantUid: body.merchant_uid, impUid: body.imp_uid, body };
  if (isSubscriptionChargeUid(body.merchant_uid)) {
    const result = await receiveChargeNotification(deps.billing, note);
    return { kind: "subscription", outcome: result.outcome, status: result.subscription?.status ?? null };
  }
  const result = await receiveNotification(deps.orders, { source: "webhook", ...note });
  return { kind: "order", outcome: result.outcome, status: result.order?.status ?? null };
}
