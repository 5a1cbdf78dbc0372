/**
 * The domain events of one change of a refund owed (pure), decided from the
 * item before (null: just decided) and after, so only a write that happens
 * publishes anything; the store writes them in that write (outbox). A write
 * that changes only the lease, the back-off or the last error publishes nothing.
 */
import { type DomainEvent, domainEvent, type EventAggregate } from "../events/domain-event.js";
import type { EventData, EventType } from "../events/event-schemas.js";
import type { OwedRefund } from "./owed-refund.js";

/** What iamport needs, besides the amount, to refund a deposited virtual account. */
const ACCOUNT_FIELDS = ["refund_holder", "refund_bank", "refund_account"] as const;

/** The events of the change from `before` to `after` (the version `after` was written with). */
export function owedRefundEvents(before: OwedRefund | null, after: OwedRefund): DomainEvent[] {
  // The refund's own item and version: a change of the order or subscription never shares its ids.
  const aggregate: EventAggregate = { type: "refund_owed", id: after.impUid, version: after.version };
  const owner = after.owner;
  const base: EventData<"refund_owed.decided"> = {
    imp_uid: after.impUid,
    merchant_uid: after.merchantUid,
    owner:
      owner.kind === "order"
        ? { type: "order", id: owner.merchantUid }
        : { type: "subscription", id: owner.subscriptionId, cycle: owner.cycle, attempt: owner.attempt },
    amount: after.amount,
    reason: after.reason,
    state: after.state,
    detail: after.detail,
    pay_method: after.payMethod,
  };
  const events: DomainEvent[] = [];
  const add = <T extends EventType>(type: T, time: string, data: EventData<T>) =>
    events.push(domainEvent(aggregate, type, time, data) as DomainEvent);

  if (!before) add("refund_owed.decided", after.decidedAt, base);
  const entered = (state: OwedRefund["state"]) => after.state === state && before?.state !== state;
  if (entered("needs_account")) {
    add("refund_owed.needs_account", after.updatedAt, {
      ...base,
      missing: [...ACCOUNT_FIELDS],
      what_to_do: after.lastError ?? "",
    });
  }
  if (entered("needs_person"))
    add("refund_owed.needs_person", after.updatedAt, { ...base, last_error: after.lastError ?? "" });
  if (entered("done")) {
    add("refund_owed.refunded", after.doneAt ?? after.updatedAt, {
      ...base,
      refunded_amount: after.refundedAmount ?? after.amount,
      tries: after.tries,
    });
  }
  return events;
}
