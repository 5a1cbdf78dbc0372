/**
 * The domain events of one subscription change (pure). Decided from the
 * subscription before and after and the history entry of the change, so only
 * a change that is written publishes anything; the repository writes them in
 * the change's own transaction (outbox).
 */
import { type DomainEvent, domainEvent, type EventAggregate } from "../../events/domain-event.js";
import type { EventData, EventType } from "../../events/event-schemas.js";
import type { LastCharge, Subscription, SubscriptionEvent } from "../subscription.js";

/**
 * The events of the change from `current` (null: created) to `next`, recorded as `history`.
 * `chargeAmount`: what the settled attempt was claimed with (a plan change after the claim does not
 * change it); without it, the plan of the cycle charged.
 */
export function subscriptionEvents(
  current: Subscription | null,
  next: Subscription,
  history: SubscriptionEvent,
  options: { chargeAmount?: number } = {},
): DomainEvent[] {
  const aggregate: EventAggregate = { type: "subscription", id: next.id, version: next.version };
  const base = {
    subscription_id: next.id,
    status: next.status,
    customer_uid: next.customerUid,
    cycle: next.cycle,
    next_charge_at: next.nextChargeAt,
    source: history.source,
    reason: history.reason,
  };
  const events: DomainEvent[] = [];
  const add = <T extends EventType>(type: T, data: EventData<T>) =>
    events.push(domainEvent(aggregate, type, history.at, data) as DomainEvent);

  if (!current) {
    add("subscription.created", {
      ...base,
      plan: {
        name: next.plan.name,
        amount: next.plan.amount,
        interval: next.plan.interval,
        interval_count: next.plan.intervalCount ?? 1,
      },
      ...(next.trial ? { trial_ends_at: next.trial.endsAt } : {}),
    });
  }
  if (history.plan) {
    add("subscription.plan_changed", {
      ...base,
      from: history.plan.from,
      to: history.plan.to,
      effective: history.plan.effective,
      from_cycle: history.plan.fromCycle,
    });
  }
  if (next.trial?.noticedAt && !current?.trial?.noticedAt) {
    add("subscription.trial_ending", {
      ...base,
      trial_ends_at: next.trial.endsAt,
      plan: { name: next.plan.name, amount: next.plan.amount },
    });
  }

  const charge = next.lastCharge;
  if (charge && !sameCharge(charge, current?.lastCharge)) {
    const body = {
      ...base,
      charge: {
        cycle: charge.cycle,
        attempt: charge.attempt,
        merchant_uid: charge.merchantUid,
        status: charge.status,
        amount: options.chargeAmount ?? (current ?? next).plan.amount,
        ...(charge.impUid ? { imp_uid: charge.impUid } : {}),
        ...(charge.reason ? { reason: charge.reason } : {}),
      },
    };
    if (charge.status === "paid") add("subscription.charged", { ...body, paid_through: next.paidThrough });
    else add("subscription.charge_failed", body);
  }
  const cancel = history.chargeCancel;
  if (cancel && history.cycle && history.attempt) {
    add("subscription.charge_refunded", {
      ...base,
      charge: {
        cycle: history.cycle,
        attempt: history.attempt,
        merchant_uid: cancel.merchantUid,
        imp_uid: cancel.impUid,
        amount: cancel.charged,
      },
      refund_amount: cancel.amount,
      refunded_amount: cancel.cancelled,
      remaining_amount: Math.max(0, cancel.charged - cancel.cancelled),
    });
  }

  if (current && current.status !== next.status) {
    if (next.status === "past_due")
      add("subscription.past_due", {
        ...base,
        ...(next.dunning ? { dunning_ends_at: next.dunning.endsAt } : {}),
      });
    if (next.status === "unpaid") add("subscription.unpaid", base);
    if (next.status === "paused") add("subscription.paused", base);
    if (current.status === "paused" && (next.status === "active" || next.status === "past_due"))
      add("subscription.resumed", base);
    if (next.status === "canceled")
      add("subscription.canceled", { ...base, ...(next.canceledAt ? { canceled_at: next.canceledAt } : {}) });
  }
  if (current && next.cancelAtPeriodEnd && !current.cancelAtPeriodEnd && next.status !== "canceled")
    add("subscription.cancel_scheduled", { ...base, cancels_at: next.paidThrough });
  if (current && current.customerUid !== next.customerUid)
    add("subscription.card_updated", { ...base, previous_customer_uid: current.customerUid });
  return events;
}

function sameCharge(a: LastCharge, b: LastCharge | undefined): boolean {
  return !!b && a.cycle === b.cycle && a.attempt === b.attempt && a.status === b.status && a.at === b.at;
}
