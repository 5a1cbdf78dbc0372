/**
 * The three doors (PC callback, mobile redirect, webhook) in one use case:
 * verify against iamport, and store what arrived (invariant 5) unless it
 * named nothing of this order's.
 */
import { randomUUID } from "node:crypto";
import { RetryLaterError } from "../errors.js";
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
  const record = () =>
    deps.orders.recordNotification({
      merchantUid: notification.merchantUid,
      id: randomUUID(),
      receivedAt: deps.clock().toISOString(),
      source: notification.source,
      body: notification.body,
    });
  let result: VerifyPaymentResult;
  try {
    result = await verifyPayment(deps, {
      merchantUid: notification.merchantUid,
      source: notification.source,
      order,
      ...(notification.impUid ? { impUid: notification.impUid } : {}),
    });
  } catch (error) {
    // iamport could not be read: keep what arrived (invariant 5); the retry or the reconciler decides.
    if (error instanceof RetryLaterError) await record();
    throw error;
  }
  // Kept as evidence when it named a payment of this order; a guessed or foreign imp_uid (refused, or
  // unknown to iamport) writes nothing, so a stranger cannot add items through a public route.
  if (result.outcome !== "no_payment" && result.outcome !== "rejected") await record();
  return result;
}
