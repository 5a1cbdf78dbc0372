/**
 * The three doors (PC callback, mobile redirect, webhook) in one use case:
 * verify against iamport, and store what arrived (invariant 5) unless it
 * named nothing of this order's.
 */

import { RetryLaterError } from "../../errors.js";
import { capFields, WEBHOOK_STATUSES, webhookNoteStatus } from "../../inbound-notes.js";
import type { Logger } from "../../observability/logger.js";
import type { VerifyPaymentDeps } from "../deps.js";
import type { ChangeSource, Order } from "../order.js";
import type { InboundNotification } from "../ports.js";
import type { PaymentFacts } from "../rules/payment-facts.js";
import { type VerifyPaymentResult, verifyPayment } from "./verify-payment.js";

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
  // A door that names a payment reads iamport next (unless the order is unknown): a cold container reads
  // its credentials and token while it reads the order, not after. A failure is the read's to meet.
  if (notification.impUid) deps.iamport.warmUp().catch(() => undefined);
  const { order, noteStored } = await readOrder(deps, notification);
  if (!order) return { outcome: "unknown_order", order: null, reason: "no such order" };
  if (noteStored && repeatsSettledPayment(order, notification))
    return {
      outcome: "unchanged",
      order,
      reason: "the same paid webhook again for the payment the order keeps",
      noteRecorded: true,
    };
  // The note is stored already when iamport sends the same webhook again: nothing of it to write.
  const stored = (payment?: PaymentFacts) =>
    noteStored && (payment?.imp_uid ?? notification.impUid) === notification.impUid;
  const record = async (verified?: VerifyPaymentResult) => {
    if (!stored(verified?.payment))
      await recordNote(deps.orders, deps.logger, deps.clock(), notification, verified);
  };
  let result: VerifyPaymentResult;
  try {
    result = await verifyPayment(deps, {
      merchantUid: notification.merchantUid,
      source: notification.source,
      order,
      ...(notification.impUid ? { impUid: notification.impUid } : {}),
      // Written with the order's change when the payment changes it: one transaction, not two writes.
      note: (payment) => (stored(payment) ? undefined : noteOf(deps.clock(), notification, payment)),
    });
  } catch (error) {
    // iamport could not be read: keep what arrived (invariant 5); the retry or the reconciler decides.
    if (error instanceof RetryLaterError) await record();
    throw error;
  }
  // Kept as evidence when it named a payment of this order; a guessed or foreign imp_uid (refused, or
  // unknown to iamport) writes nothing, so a stranger cannot add items through a public route.
  if (result.outcome !== "no_payment" && result.outcome !== "rejected" && !result.noteRecorded)
    await record(result);
  return result;
}

/**
 * The `paid` webhook iamport sends again for the payment an order is paid by: nothing iamport could
 * say changes the order, so iamport is not read. A cancel's webhook names its `cancellation_id`
 * (iamport, 2024-02-23), which is what a partial cancel announced as `paid` (undocumented: the
 * sandbox's `partialCancel=stays-paid-webhook-paid`) carries: that one is read. So is any other status,
 * another payment, or an order in any other state.
 */
function repeatsSettledPayment(order: Order, notification: Notification): boolean {
  const cancellation = notification.body.cancellation_id;
  return (
    notification.source === "webhook" &&
    notification.body.status === "paid" &&
    (cancellation === undefined || cancellation === null || cancellation === "") &&
    order.status === "paid" &&
    order.impUid === notification.impUid
  );
}

/**
 * The order, read with the webhook's note when its key is known before iamport is read (a webhook names
 * its imp_uid and status; a callback's note takes iamport's status, so it is read with the order alone).
 */
async function readOrder(
  deps: VerifyPaymentDeps,
  notification: Notification,
): Promise<{ order: Order | null; noteStored: boolean }> {
  if (notification.source !== "webhook" || !notification.impUid)
    return { order: await deps.orders.get(notification.merchantUid), noteStored: false };
  return deps.orders.getWithNote(notification.merchantUid, {
    source: "webhook",
    impUid: notification.impUid,
    status: webhookNoteStatus(notification.body.status),
  });
}

/**
 * Stores the notification once per (source, imp_uid, status), with every field capped: repeating a
 * public request, or sending megabytes through one, cannot grow the order's partition.
 */
async function recordNote(
  orders: VerifyPaymentDeps["orders"],
  logger: Logger,
  now: Date,
  notification: Notification,
  verified?: VerifyPaymentResult,
): Promise<void> {
  const stored = await orders.recordNotification(
    noteOf(now, notification, verified?.payment, Boolean(verified)),
  );
  if (stored === "capped") {
    logger.warn("notification not stored: the order holds its maximum of notes", {
      merchant_uid: notification.merchantUid,
      source: notification.source,
    });
  }
}

/** The note kept of `notification`, keyed by the payment it named (iamport's, once read). */
function noteOf(
  now: Date,
  notification: Notification,
  payment: PaymentFacts | undefined,
  verified = true,
): InboundNotification {
  return {
    merchantUid: notification.merchantUid,
    receivedAt: now.toISOString(),
    source: notification.source,
    impUid: payment?.imp_uid ?? notification.impUid ?? "-",
    status: noteStatus(notification, payment?.status, verified),
    body: capFields(notification.body),
  };
}

/**
 * What the notification announces: a webhook says which status it is about (one of iamport's, or
 * `other`); the callback and the redirect say "something happened", so iamport's status at the time
 * distinguishes them (`unverified` when iamport could not be read).
 */
function noteStatus(notification: Notification, status: string | undefined, verified: boolean): string {
  if (notification.source === "webhook") return webhookNoteStatus(notification.body.status);
  return status && WEBHOOK_STATUSES.has(status) ? status : verified ? "other" : "unverified";
}
