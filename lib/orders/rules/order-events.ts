/**
 * The domain events of one order change (pure): what a merchant's other
 * systems hear about. Decided from the order before and after and the history
 * entry of the change, so only a change that is written publishes anything;
 * the repository writes them in the change's own transaction (outbox).
 */
import { type DomainEvent, domainEvent, type EventAggregate } from "../../events/domain-event.js";
import type { EventData, EventType } from "../../events/event-schemas.js";
import type { Order, OrderEvent } from "../order.js";

/** The events of the change from `current` (null: created) to `next`, recorded as `history`. */
export function orderEvents(current: Order | null, next: Order, history: OrderEvent): DomainEvent[] {
  const aggregate: EventAggregate = { type: "order", id: next.merchantUid, version: next.version };
  const base = {
    merchant_uid: next.merchantUid,
    status: next.status,
    amount: next.amount,
    pay_method: next.payMethod,
    ...(next.impUid ? { imp_uid: next.impUid } : {}),
    source: history.source,
    reason: history.reason,
  };
  const events: DomainEvent[] = [];
  const add = <T extends EventType>(type: T, data: EventData<T>) =>
    events.push(domainEvent(aggregate, type, history.at, data) as DomainEvent);
  const moved = current?.status !== next.status;

  if (moved && next.status === "awaiting_deposit" && next.vbank) {
    add("vbank.issued", {
      ...base,
      bank_name: next.vbank.bankName,
      ...(next.vbank.bankCode ? { bank_code: next.vbank.bankCode } : {}),
      account_number: next.vbank.number,
      holder: next.vbank.holder,
      due_at: next.vbank.dueAt,
    });
  }
  if (moved && next.status === "paid") {
    const paidAt = next.paidAt ? { paid_at: next.paidAt } : {};
    if (current?.status === "awaiting_deposit") add("vbank.deposited", { ...base, ...paidAt });
    add("order.paid", { ...base, ...paidAt, escrow: next.escrow });
  }
  if (moved && next.status === "failed") add("order.failed", base);
  if (moved && next.status === "expired") add("order.expired", base);
  if (moved && next.status === "forged" && next.forgery) {
    add("order.forged", {
      ...base,
      paid_amount: next.forgery.paidAmount,
      expected_amount: next.forgery.expectedAmount,
    });
  }

  // A refund is a change of the refunded amount: a second partial refund keeps the status.
  const refundedBefore = current?.refundedAmount ?? 0;
  if (
    next.refundedAmount > refundedBefore &&
    (next.status === "refunded" || next.status === "partially_refunded")
  ) {
    const known = new Set((current?.refunds ?? []).map((r) => r.cancellationId));
    const added = next.refunds.filter((r) => !known.has(r.cancellationId));
    add(next.status === "refunded" ? "order.refunded" : "order.partially_refunded", {
      ...base,
      refund_amount: next.refundedAmount - refundedBefore,
      refunded_amount: next.refundedAmount,
      remaining_amount: Math.max(0, next.amount - next.refundedAmount),
      cancellation_ids: added.map((r) => r.cancellationId),
    });
  }

  const refundBefore = current?.forgery?.refund;
  const forgery = next.forgery;
  if (forgery && forgery.refund !== refundBefore) {
    if (forgery.refund === "needs_account")
      add("order.refund_needs_account", { ...base, paid_amount: forgery.paidAmount });
    if (forgery.refund === "done")
      add("order.forgery_refunded", { ...base, refunded_amount: forgery.refundedAmount });
  }
  return events;
}
