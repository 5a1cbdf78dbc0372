/**
 * The three doors (PC callback, mobile redirect, webhook) in one use case:
 * store what arrived (invariant 5), then verify against iamport.
 */
import { randomUUID } from "node:crypto";
import type { ChangeSource } from "./order.js";
import { type VerifyPaymentDeps, type VerifyPaymentResult, verifyPayment } from "./verify-payment.js";

export interface Notification {
  source: Extract<ChangeSource, "callback" | "redirect" | "webhook">;
  merchantUid: string;
  impUid?: string;
  /** The raw (validated) body or query, kept as evidence. */
  body: Record<string, unknown>;
}

export async function receiveNotification(
  deps: VerifyPaymentDeps,
  notification: Notification,
): Promise<VerifyPaymentResult> {
  // Orders exist before any window opens: a notification for an unknown one is input we refuse, and
  // writing it would let anyone put items in the table through a public route.
  const order = await deps.orders.get(notification.merchantUid);
  if (!order) return { outcome: "unknown_order", order: null, reason: "no such order" };
  await deps.orders.recordNotification({
    merchantUid: notification.merchantUid,
    id: randomUUID(),
    receivedAt: deps.clock().toISOString(),
    source: notification.source,
    body: notification.body,
  });
  return verifyPayment(deps, {
    merchantUid: notification.merchantUid,
    source: notification.source,
    order,
    ...(notification.impUid ? { impUid: notification.impUid } : {}),
  });
}
