import { describe, expect, test } from "vitest";
import { subscriptionEvents } from "../../../../lib/billing/rules/subscription-events.js";
import {
  applyChargeOutcome,
  type CycleOutcome,
  cancel,
  pause,
  resume,
  switchCard,
  type Transition,
} from "../../../../lib/billing/rules/subscription-machine.js";
import { historyEvent, type Subscription } from "../../../../lib/billing/subscription.js";
import type { DomainEvent } from "../../../../lib/events/domain-event.js";
import { eventSchemas } from "../../../../lib/events/event-schemas.js";
import { DAY, ID, policy, subscription } from "../fixtures.js";

const now = new Date("2026-02-28T01:00:00.000Z");
const later = (days: number) => new Date(now.getTime() + days * DAY);
const outcome = (kind: CycleOutcome["kind"], patch: Record<string, unknown> = {}): CycleOutcome =>
  ({
    kind,
    cycle: 2,
    attempt: 1,
    merchantUid: `${ID}_2_1`,
    impUid: "imp_1",
    reason: "declined",
    severity: "soft",
    ...patch,
  }) as CycleOutcome;

/** The events of one machine transition, each checked against its type's schema. */
function eventsOf(current: Subscription, t: Transition, source: "api" | "charge" | "dispatcher" = "api") {
  if (t.kind !== "change") throw new Error(`expected a change, got ${t.kind}: ${t.reason}`);
  const events = subscriptionEvents(current, t.next, historyEvent(current, t.next, source, t.reason));
  for (const e of events) expect(eventSchemas[e.type].safeParse(e.data).success, e.type).toBe(true);
  return { next: t.next, events };
}
const types = (events: DomainEvent[]) => events.map((e) => e.type);

describe("subscription events", () => {
  test("a new subscription: subscription.created with its plan and the version written", () => {
    const sub = subscription({ version: 1 }, 1);
    const [event, ...rest] = subscriptionEvents(null, sub, historyEvent(null, sub, "api", "created"));

    expect(rest).toEqual([]);
    expect(event).toMatchObject({
      type: "subscription.created",
      aggregate: { type: "subscription", id: ID, version: 1 },
      data: { plan: { name: "Pro", amount: 9_900, interval: "month", interval_count: 1 } },
    });
    expect(eventSchemas["subscription.created"].safeParse(event?.data).success).toBe(true);
  });

  test("paid: subscription.charged with the amount claimed; declined: charge_failed and past_due once", () => {
    const sub = subscription();
    const paid = applyChargeOutcome(sub, outcome("paid"), policy, now);
    const { events } = eventsOf(sub, paid, "charge");
    expect(types(events)).toEqual(["subscription.charged"]);
    expect(events[0]?.data).toMatchObject({ charge: { cycle: 2, status: "paid", amount: 9_900 } });

    const first = eventsOf(sub, applyChargeOutcome(sub, outcome("declined"), policy, now), "charge");
    expect(types(first.events)).toEqual(["subscription.charge_failed", "subscription.past_due"]);
    const second = eventsOf(
      first.next,
      applyChargeOutcome(first.next, outcome("declined", { attempt: 2 }), policy, later(1)),
      "charge",
    );
    // Still past due: the second decline is a charge_failed, not a second past_due.
    expect(types(second.events)).toEqual(["subscription.charge_failed"]);
  });

  test("pause, resume, cancel at period end, cancel now, switch card: one event each", () => {
    const sub = subscription();
    const paused = eventsOf(sub, pause(sub, now));
    expect(types(paused.events)).toEqual(["subscription.paused"]);
    const resumed = eventsOf(paused.next, resume(paused.next, later(1)));
    expect(types(resumed.events)).toEqual(["subscription.resumed"]);
    expect(types(eventsOf(sub, cancel(sub, "period_end", "asked", later(-10))).events)).toEqual([
      "subscription.cancel_scheduled",
    ]);
    expect(types(eventsOf(sub, cancel(sub, "now", "asked", now)).events)).toEqual(["subscription.canceled"]);
    expect(types(eventsOf(sub, switchCard(sub, "cu_card_2", policy, now)).events)).toEqual([
      "subscription.card_updated",
    ]);
  });

  test("a plan change and a trial notice come from the history entry and the trial", () => {
    const sub = subscription({
      trial: { days: 14, endsAt: "2026-03-10T01:00:00.000Z", noticeAt: "2026-03-07T01:00:00.000Z" },
    });
    const next = { ...sub, version: sub.version + 1, trial: { ...sub.trial!, noticedAt: now.toISOString() } };
    const history = {
      ...historyEvent(sub, next, "dispatcher", "trial ends soon"),
      plan: {
        from: { name: "Pro", amount: 9_900 },
        to: { name: "Max", amount: 19_900 },
        effective: "next_cycle" as const,
        fromCycle: 3,
      },
    };

    const events = subscriptionEvents(sub, next, history);

    expect(types(events)).toEqual(["subscription.plan_changed", "subscription.trial_ending"]);
    expect(events[0]?.data).toMatchObject({ to: { amount: 19_900 }, from_cycle: 3, effective: "next_cycle" });
    expect(events[1]?.data).toMatchObject({ trial_ends_at: "2026-03-10T01:00:00.000Z" });
  });

  test("a kept charge refunded at iamport: one subscription.charge_refunded, valid, the cycle still paid", () => {
    const sub = subscription({}, 2);
    const next = { ...sub, version: sub.version + 1, updatedAt: now.toISOString() };
    const history = {
      ...historyEvent(sub, next, "webhook", "cycle 1's charge refunded at iamport", { cycle: 1, attempt: 2 }),
      chargeCancel: {
        merchantUid: `${ID}_1_2`,
        impUid: "imp_1",
        charged: 9_900,
        amount: 900,
        cancelled: 3_900,
      },
    };

    const events = subscriptionEvents(sub, next, history);

    expect(types(events)).toEqual(["subscription.charge_refunded"]);
    expect(events[0]?.data).toEqual(
      expect.objectContaining({
        status: sub.status,
        charge: { cycle: 1, attempt: 2, merchant_uid: `${ID}_1_2`, imp_uid: "imp_1", amount: 9_900 },
        refund_amount: 900,
        refunded_amount: 3_900,
        remaining_amount: 6_000,
        source: "webhook",
      }),
    );
    expect(eventSchemas["subscription.charge_refunded"].safeParse(events[0]?.data).success).toBe(true);
  });

  test("ids are stable per (aggregate, version, type) and differ between types and versions", () => {
    const sub = subscription();
    const t = applyChargeOutcome(sub, outcome("declined"), policy, now);
    const a = eventsOf(sub, t, "charge").events;
    const b = eventsOf(sub, t, "charge").events;

    expect(a.map((e) => e.id)).toEqual(b.map((e) => e.id));
    expect(new Set(a.map((e) => e.id)).size).toBe(a.length);
    expect(a[0]?.id).toMatch(/^evt_[0-9a-f]{24}$/);
  });

  test("a change that only moves bookkeeping (no status, charge or plan change) publishes nothing", () => {
    const sub = subscription();
    const next = { ...sub, version: sub.version + 1, updatedAt: now.toISOString() };

    expect(
      subscriptionEvents(sub, next, historyEvent(sub, next, "api", "plan change request remembered")),
    ).toEqual([]);
  });
});
