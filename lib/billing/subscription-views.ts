/**
 * What the merchant API shows of a subscription: its state, billing calendar,
 * dunning, every cycle with its charge attempts (what was sent to iamport,
 * what came back and how we learned it) and the history of changes.
 */

import type { OwedRefund } from "../ledger/owed-refund.js";
import { owedRefundView } from "../ledger/owed-refund-view.js";
import type { SubscriptionBody } from "./api-responses.js";
import type { ChargeAttempt } from "./charge-attempt.js";
import { cyclePeriod, MAX_CYCLE } from "./rules/calendar.js";
import type { Subscription, SubscriptionEvent } from "./subscription.js";

const time = (minute: number) =>
  `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;

function attemptView(a: ChargeAttempt, owed: ReadonlyMap<string, OwedRefund>) {
  return {
    attempt: a.attempt,
    merchant_uid: a.merchantUid,
    customer_uid: a.customerUid,
    amount: a.amount,
    status: a.status,
    decline: a.status === "declined" ? (a.severity ?? "soft") : null,
    reason: a.reason ?? null,
    error_code: a.errorCode ?? null,
    imp_uid: a.impUid ?? null,
    paid_at: a.paidAt ?? null,
    refund: (a.impUid ? owed.get(a.impUid)?.state : undefined) ?? a.refund ?? null,
    resolved_by: a.resolvedBy ?? null,
    refunded_amount: a.cancelled?.amount ?? 0,
    refunded_at: a.cancelled?.at ?? null,
    sends: a.sends,
    lookups: a.lookups,
    claimed_at: a.claimedAt,
    unknown_since: a.unknownSince ?? null,
    updated_at: a.updatedAt,
  };
}

/** Cycles with attempts, and the cycle the subscription waits on; oldest first. */
function cycles(
  sub: Subscription,
  attempts: ChargeAttempt[],
  owed: ReadonlyMap<string, OwedRefund>,
): SubscriptionBody["cycles"] {
  const byCycle = new Map<number, ChargeAttempt[]>();
  for (const a of attempts) byCycle.set(a.cycle, [...(byCycle.get(a.cycle) ?? []), a]);
  if (sub.cycle <= MAX_CYCLE && !byCycle.has(sub.cycle) && sub.nextChargeAt) byCycle.set(sub.cycle, []);
  return [...byCycle.entries()]
    .sort(([a], [b]) => a - b)
    .map(([cycle, list]) => {
      const sorted = list.sort((a, b) => a.attempt - b.attempt);
      const period = cyclePeriod(sub.anchor, cycle);
      const paid = sorted.find((a) => a.status === "paid");
      const open = sorted.some((a) => a.status === "claimed" || a.status === "unknown");
      return {
        cycle,
        period_start: period.start.toISOString(),
        period_end: period.end.toISOString(),
        status: paid
          ? "paid"
          : open
            ? "charging"
            : cycle < sub.cycle
              ? "unpaid"
              : sorted.length
                ? "failed"
                : "scheduled",
        imp_uid: paid?.impUid ?? null,
        attempts: sorted.map((a) => attemptView(a, owed)),
      };
    });
}

/** The merchant API's view of a subscription (snake_case), with its cycles, attempts and history when given. */
export function subscriptionView(
  sub: Subscription,
  attempts: ChargeAttempt[] = [],
  history: SubscriptionEvent[] = [],
  owedRefunds: OwedRefund[] = [],
): SubscriptionBody {
  const owed = new Map(owedRefunds.map((o) => [o.impUid, o]));
  return {
    id: sub.id,
    status: sub.status,
    customer_uid: sub.customerUid,
    plan: {
      name: sub.plan.name,
      amount: sub.plan.amount,
      interval: sub.plan.interval,
      interval_count: sub.plan.intervalCount ?? 1,
    },
    pending_plan: sub.pendingPlan
      ? { name: sub.pendingPlan.name, amount: sub.pendingPlan.amount, from_cycle: sub.pendingPlan.fromCycle }
      : null,
    currency: sub.currency,
    billing: {
      time_zone: "Asia/Seoul",
      interval: sub.anchor.interval,
      interval_count: sub.anchor.count ?? 1,
      anchor_day: sub.anchor.day,
      ...(sub.anchor.interval === "year" ? { anchor_month: sub.anchor.month } : {}),
      charge_time: time(sub.anchor.minute),
    },
    current_cycle: sub.cycle,
    next_attempt: sub.attempt,
    next_charge_at: sub.nextChargeAt,
    paid_through: sub.paidThrough,
    paid_cycles: sub.paidCycles,
    skipped_cycles: sub.skippedCycles,
    cancel_at_period_end: sub.cancelAtPeriodEnd,
    canceled_at: sub.canceledAt ?? null,
    cancel_reason: sub.cancelReason ?? null,
    paused_at: sub.pausedAt ?? null,
    trial: sub.trial
      ? {
          days: sub.trial.days,
          ends_at: sub.trial.endsAt,
          notice_at: sub.trial.noticeAt,
          noticed_at: sub.trial.noticedAt ?? null,
        }
      : null,
    dunning: sub.dunning
      ? {
          cycle: sub.dunning.cycle,
          since: sub.dunning.since,
          soft_declines: sub.dunning.softDeclines,
          request_errors: sub.dunning.requestErrors,
          waiting_for_card: sub.dunning.waitingForCard,
          last_reason: sub.dunning.lastReason,
          ends_at: sub.dunning.endsAt,
        }
      : null,
    last_charge: sub.lastCharge
      ? {
          cycle: sub.lastCharge.cycle,
          attempt: sub.lastCharge.attempt,
          merchant_uid: sub.lastCharge.merchantUid,
          status: sub.lastCharge.status,
          imp_uid: sub.lastCharge.impUid ?? null,
          reason: sub.lastCharge.reason ?? null,
          at: sub.lastCharge.at,
        }
      : null,
    buyer: sub.buyer,
    cycles: cycles(sub, attempts, owed),
    refunds_owed: owedRefunds.map(owedRefundView),
    history: history.map((e) => ({
      at: e.at,
      from: e.from,
      to: e.to,
      source: e.source,
      reason: e.reason,
      cycle: e.cycle ?? null,
      attempt: e.attempt ?? null,
      ...(e.plan
        ? {
            plan_change: {
              from: e.plan.from,
              to: e.plan.to,
              effective: e.plan.effective,
              from_cycle: e.plan.fromCycle,
            },
          }
        : {}),
    })),
    created_at: sub.createdAt,
    updated_at: sub.updatedAt,
  };
}
