/**
 * The subscription state machine as pure functions: given a subscription and
 * what happened (a charge outcome, a merchant command, the clock), what
 * changes. No I/O; every transition is a unit test.
 *
 *   active ──decline/refusal──► past_due ──paid (retry or new card)──► active
 *   past_due ──retries or the wait for a card run out──► unpaid | canceled (policy)
 *   active ──pause──► paused ──resume──► active (cycles dated in the pause are skipped)
 *   any but canceled ──cancel now──► canceled; active ──cancel at period end──► canceled at period end
 *   unpaid ──new card──► past_due (retried at once)
 */

import {
  CHARGEABLE,
  type Dunning,
  type LastCharge,
  planFields,
  type Subscription,
  type SubscriptionStatus,
} from "../subscription.js";
import { type BillingPolicy, DAY_MS, dunningWindowMs } from "./billing-policy.js";
import { cycleStart, firstCycleAtOrAfter, MAX_CYCLE } from "./calendar.js";
import { MAX_ATTEMPT } from "./merchant-uid.js";

/** What a charge attempt came to, as the subscription needs it. */
export type CycleOutcome =
  | { kind: "paid"; cycle: number; attempt: number; merchantUid: string; impUid: string }
  | {
      kind: "declined";
      cycle: number;
      attempt: number;
      merchantUid: string;
      severity: "soft" | "hard";
      reason: string;
      impUid?: string;
      /** The billing key the attempt charged (it may have been replaced since). */
      customerUid?: string;
    }
  /** iamport refused the request (non-zero code): not a decline. */
  | {
      kind: "error";
      cycle: number;
      attempt: number;
      merchantUid: string;
      reason: string;
      customerUid?: string;
    }
  /** Money moved but failed verification (amount, channel...): a person must look. */
  | {
      kind: "rejected";
      cycle: number;
      attempt: number;
      merchantUid: string;
      reason: string;
      impUid?: string;
    };

export type Transition =
  | { kind: "none"; reason: string }
  /** The command is not allowed in this state (a 409 for the merchant API). */
  | { kind: "refuse"; reason: string }
  | { kind: "change"; next: Subscription; reason: string };

/** A retry is never scheduled sooner than this after a failure, even when a late retry is past its day. */
const MIN_RETRY_GAP_MS = 60 * 60 * 1000;
/** A hard decline leaves at least this long for a new card, even late in dunning. */
const MIN_CARD_WAIT_MS = DAY_MS;

const iso = (ms: number) => new Date(ms).toISOString();

/** The due-index position the rules imply: the next charge, or the end of a wait for a card. */
export function checkAfterOf(sub: Subscription): string | undefined {
  if (!CHARGEABLE.has(sub.status)) return undefined;
  const notice = trialNoticeDue(sub);
  if (notice && sub.nextChargeAt) return notice < sub.nextChargeAt ? notice : sub.nextChargeAt;
  if (sub.nextChargeAt) return sub.nextChargeAt;
  return sub.dunning?.waitingForCard ? sub.dunning.endsAt : undefined;
}

function change(sub: Subscription, patch: Partial<Subscription>, now: Date, reason: string): Transition {
  const next: Subscription = { ...sub, ...patch, version: sub.version + 1, updatedAt: now.toISOString() };
  next.checkAfter = checkAfterOf(next);
  return { kind: "change", next, reason };
}

function exhaustedStatus(policy: BillingPolicy): SubscriptionStatus {
  return policy.exhaustedAction === "cancel" ? "canceled" : "unpaid";
}

function lastChargeOf(outcome: CycleOutcome, now: Date): LastCharge {
  return {
    cycle: outcome.cycle,
    attempt: outcome.attempt,
    merchantUid: outcome.merchantUid,
    status: outcome.kind,
    ...("impUid" in outcome && outcome.impUid ? { impUid: outcome.impUid } : {}),
    ...("reason" in outcome ? { reason: outcome.reason } : {}),
    at: now.toISOString(),
  };
}

/** The dunning record of `cycle`: the current one, or a fresh one starting now. */
function dunningOf(sub: Subscription, cycle: number, policy: BillingPolicy, now: Date): Dunning {
  if (sub.dunning?.cycle === cycle) return sub.dunning;
  return {
    cycle,
    since: now.toISOString(),
    softDeclines: 0,
    requestErrors: 0,
    waitingForCard: false,
    lastReason: "",
    endsAt: iso(now.getTime() + dunningWindowMs(policy)),
  };
}

/**
 * Applies a charge outcome. A payment for the subscription's current cycle is
 * always recorded (money moved, even if the merchant paused or canceled
 * meanwhile); a failure counts only for the attempt the subscription waits on.
 */
export function applyChargeOutcome(
  sub: Subscription,
  outcome: CycleOutcome,
  policy: BillingPolicy,
  now: Date,
): Transition {
  if (outcome.kind === "paid") {
    if (outcome.cycle !== sub.cycle)
      return { kind: "none", reason: `cycle ${outcome.cycle} already settled` };
    // After a resume that kept an owed cycle, the cycles dated inside the pause are skipped now.
    const nextCycle = Math.max(sub.cycle + 1, sub.resumeSkipTo ?? 0);
    const skipped = nextCycle - (sub.cycle + 1);
    const periodEnd = cycleStart(sub.anchor, sub.cycle + 1).toISOString();
    // A late charge for an unpaid subscription's owed cycle pays it: billing goes on from there.
    const billing = CHARGEABLE.has(sub.status) || sub.status === "unpaid";
    return change(
      sub,
      {
        status: billing ? "active" : sub.status,
        cycle: nextCycle,
        ...planFields(sub, nextCycle),
        attempt: 1,
        // The last cycle the calendar can name ends billing instead of overflowing the merchant_uid.
        nextChargeAt:
          billing && nextCycle <= MAX_CYCLE ? cycleStart(sub.anchor, nextCycle).toISOString() : null,
        paidThrough: periodEnd,
        paidCycles: sub.paidCycles + 1,
        skippedCycles: sub.skippedCycles + skipped,
        resumeSkipTo: undefined,
        dunning: undefined,
        lastCharge: lastChargeOf(outcome, now),
      },
      now,
      `cycle ${outcome.cycle} paid (attempt ${outcome.attempt})${skipped > 0 ? `; ${skipped} cycle(s) dated inside the pause skipped` : ""}`,
    );
  }
  if (outcome.cycle !== sub.cycle || outcome.attempt !== sub.attempt || !CHARGEABLE.has(sub.status)) {
    return { kind: "none", reason: "the subscription no longer waits on this attempt" };
  }
  const dunning = dunningOf(sub, outcome.cycle, policy, now);
  const lastCharge = lastChargeOf(outcome, now);
  const nextAttempt = sub.attempt + 1;
  const waitForCard = (reason: string, patch: Partial<Dunning> = {}): Transition =>
    change(
      sub,
      {
        status: "past_due",
        attempt: nextAttempt,
        nextChargeAt: null,
        dunning: {
          ...dunning,
          ...patch,
          waitingForCard: true,
          lastReason: outcome.reason,
          endsAt: iso(Math.max(Date.parse(dunning.endsAt), now.getTime() + MIN_CARD_WAIT_MS)),
        },
        lastCharge,
      },
      now,
      reason,
    );
  const exhausted = (reason: string, patch: Partial<Dunning>): Transition => {
    const status = exhaustedStatus(policy);
    return change(
      sub,
      {
        status,
        attempt: nextAttempt,
        nextChargeAt: null,
        dunning: { ...dunning, ...patch, lastReason: outcome.reason, endsAt: now.toISOString() },
        lastCharge,
        ...(status === "canceled" ? { canceledAt: now.toISOString(), cancelReason: reason } : {}),
      },
      now,
      reason,
    );
  };

  if (outcome.kind === "rejected") {
    return waitForCard(`charge rejected: ${outcome.reason}`);
  }
  if (outcome.customerUid && outcome.customerUid !== sub.customerUid && nextAttempt <= MAX_ATTEMPT) {
    // The card was switched while this attempt was in flight (and its key deleted at iamport): its
    // failure says nothing about the current card, which is tried at once. Waiting for a new card here
    // would strand the subscription, since switching to the card it already has changes nothing.
    return change(
      sub,
      {
        status: "past_due",
        attempt: nextAttempt,
        nextChargeAt: now.toISOString(),
        dunning: { ...dunning, waitingForCard: false, lastReason: outcome.reason },
        lastCharge,
      },
      now,
      `the replaced card failed (${outcome.reason}): retrying cycle ${outcome.cycle} with the current card`,
    );
  }
  if (outcome.kind === "declined" && outcome.severity === "hard") {
    return waitForCard(`hard decline (${outcome.reason}): waiting for a new card`);
  }
  if (outcome.kind === "declined") {
    const softDeclines = dunning.softDeclines + 1;
    const retryDay = policy.retryDays[softDeclines - 1];
    if (retryDay === undefined || nextAttempt > MAX_ATTEMPT) {
      return exhausted(`retries exhausted after ${softDeclines} declines (${outcome.reason})`, {
        softDeclines,
      });
    }
    const retryAt = Math.max(Date.parse(dunning.since) + retryDay * DAY_MS, now.getTime() + MIN_RETRY_GAP_MS);
    return change(
      sub,
      {
        status: "past_due",
        attempt: nextAttempt,
        nextChargeAt: iso(retryAt),
        dunning: { ...dunning, softDeclines, lastReason: outcome.reason },
        lastCharge,
      },
      now,
      `soft decline (${outcome.reason}): retry ${softDeclines} of ${policy.retryDays.length} at ${iso(retryAt)}`,
    );
  }
  // A request error: the card was never asked. Retry soon without counting it as a decline.
  const requestErrors = dunning.requestErrors + 1;
  if (requestErrors >= policy.maxRequestErrors || nextAttempt > MAX_ATTEMPT) {
    return waitForCard(`iamport refused the charge ${requestErrors} times (${outcome.reason})`, {
      requestErrors,
    });
  }
  const retryAt = now.getTime() + policy.errorRetryMinutes * 60_000;
  return change(
    sub,
    {
      attempt: nextAttempt,
      nextChargeAt: iso(retryAt),
      dunning: { ...dunning, requestErrors, lastReason: outcome.reason },
      lastCharge,
    },
    now,
    `iamport refused the charge (${outcome.reason}): retry at ${iso(retryAt)}`,
  );
}

/** The trial-ending notice point while it is still to be recorded (a trial before its first charge). */
function trialNoticeDue(sub: Subscription): string | undefined {
  const trial = sub.trial;
  if (!trial || trial.noticedAt || sub.paidCycles > 0 || sub.cycle !== 1) return undefined;
  return trial.noticeAt;
}

/** What the dispatcher does with a subscription the due index returned. */
export type DueDecision =
  | { kind: "charge"; cycle: number; attempt: number }
  /** A state change that needs no iamport call (cancel at period end, dunning over). */
  | { kind: "end"; transition: Extract<Transition, { kind: "change" }> }
  /** The trial ends soon: recorded once in the history (the `subscription.trial_ending` event's place). */
  | { kind: "notice"; transition: Extract<Transition, { kind: "change" }> }
  /** Nothing due: put the index entry back where the rules say (or take it out). */
  | { kind: "reindex"; checkAfter: string | undefined };

/** What the dispatcher does with a subscription whose due-index entry has come up. */
export function decideDue(sub: Subscription, policy: BillingPolicy, now: Date): DueDecision {
  const due = (at: string | null | undefined) => Boolean(at) && Date.parse(at as string) <= now.getTime();
  if (!CHARGEABLE.has(sub.status)) return { kind: "reindex", checkAfter: undefined };
  if (sub.cancelAtPeriodEnd && due(sub.nextChargeAt)) {
    const transition = change(
      sub,
      { status: "canceled", nextChargeAt: null, canceledAt: sub.nextChargeAt ?? now.toISOString() },
      now,
      "canceled at period end",
    );
    if (transition.kind === "change") return { kind: "end", transition };
  }
  if (sub.dunning?.waitingForCard && due(sub.dunning.endsAt)) {
    const status = exhaustedStatus(policy);
    const reason = `no new card by ${sub.dunning.endsAt} (${sub.dunning.lastReason})`;
    const transition = change(
      sub,
      {
        status,
        nextChargeAt: null,
        ...(status === "canceled" ? { canceledAt: now.toISOString(), cancelReason: reason } : {}),
      },
      now,
      reason,
    );
    if (transition.kind === "change") return { kind: "end", transition };
  }
  const notice = trialNoticeDue(sub);
  if (sub.trial && notice && due(notice)) {
    // Before the charge at the trial's end too, so a late dispatcher run never skips the notice.
    const transition = change(
      sub,
      { trial: { ...sub.trial, noticedAt: now.toISOString() } },
      now,
      `trial ends at ${sub.trial.endsAt}; cycle 1 (${sub.plan.amount} KRW) is charged then`,
    );
    if (transition.kind === "change") return { kind: "notice", transition };
  }
  if (due(sub.nextChargeAt)) return { kind: "charge", cycle: sub.cycle, attempt: sub.attempt };
  return { kind: "reindex", checkAfter: checkAfterOf(sub) };
}

/**
 * Cancels now, or at the end of the paid period. "At period end" applies to an
 * active subscription with a paid period still running; anything else (never
 * paid, past due, paused, unpaid) has no running period to finish and ends now.
 */
export function cancel(sub: Subscription, at: "now" | "period_end", reason: string, now: Date): Transition {
  if (sub.status === "canceled") return { kind: "none", reason: "already canceled" };
  const running = sub.status === "active" && sub.paidThrough && Date.parse(sub.paidThrough) > now.getTime();
  if (at === "period_end" && running) {
    if (sub.cancelAtPeriodEnd) return { kind: "none", reason: "already canceling at period end" };
    return change(
      sub,
      { cancelAtPeriodEnd: true, cancelReason: reason },
      now,
      `cancel at period end (${sub.paidThrough})`,
    );
  }
  return change(
    sub,
    { status: "canceled", nextChargeAt: null, canceledAt: now.toISOString(), cancelReason: reason },
    now,
    at === "now" ? "canceled now" : "canceled (no paid period running)",
  );
}

/** Stops charging an active subscription; the paid period runs out normally. */
export function pause(sub: Subscription, now: Date): Transition {
  if (sub.status === "paused") return { kind: "none", reason: "already paused" };
  if (sub.status !== "active")
    return { kind: "refuse", reason: `a ${sub.status} subscription cannot be paused` };
  return change(sub, { status: "paused", nextChargeAt: null, pausedAt: now.toISOString() }, now, "paused");
}

/**
 * Resumes billing on the anchor calendar: the next charge is the first cycle
 * dated at or after now, so cycles dated inside the pause are skipped, never
 * charged late (the days between resume and that date are not billed).
 */
export function resume(sub: Subscription, now: Date): Transition {
  if (sub.status === "active") return { kind: "none", reason: "already active" };
  if (sub.status !== "paused")
    return { kind: "refuse", reason: `a ${sub.status} subscription cannot be resumed` };
  const pausedAt = Date.parse(sub.pausedAt ?? now.toISOString());
  if (cycleStart(sub.anchor, sub.cycle).getTime() < pausedAt) {
    // The cycle was already due when the pause began: a pause never forgives it. It is charged (or its
    // attempt in flight finishes) now; the cycles dated inside the pause are skipped once it is paid.
    const skipTo = firstCycleAtOrAfter(sub.anchor, now);
    return change(
      sub,
      {
        status: "active",
        nextChargeAt: now.toISOString(),
        pausedAt: undefined,
        resumeSkipTo: skipTo > sub.cycle + 1 ? skipTo : undefined,
      },
      now,
      `resumed; cycle ${sub.cycle} was due before the pause and is still owed`,
    );
  }
  const cycle = Math.max(sub.cycle, firstCycleAtOrAfter(sub.anchor, now));
  if (cycle > MAX_CYCLE) return { kind: "refuse", reason: "the billing calendar has ended" };
  const skipped = cycle - sub.cycle;
  return change(
    sub,
    {
      status: "active",
      cycle,
      ...planFields(sub, cycle),
      attempt: skipped > 0 ? 1 : sub.attempt,
      nextChargeAt: cycleStart(sub.anchor, cycle).toISOString(),
      skippedCycles: sub.skippedCycles + skipped,
      pausedAt: undefined,
    },
    now,
    skipped > 0 ? `resumed; ${skipped} cycle(s) skipped` : "resumed",
  );
}

/**
 * Points the subscription at another verified billing key. A past_due or
 * unpaid subscription is retried at once with the new card, with fresh dunning.
 */
export function switchCard(
  sub: Subscription,
  customerUid: string,
  policy: BillingPolicy,
  now: Date,
): Transition {
  if (sub.status === "canceled")
    return { kind: "refuse", reason: "a canceled subscription has no card to switch" };
  if (sub.customerUid === customerUid) return { kind: "none", reason: "already on this card" };
  if (sub.status !== "past_due" && sub.status !== "unpaid") {
    return change(sub, { customerUid }, now, "card switched");
  }
  // Every failure moved `attempt` on to an unused number; past the bound the cycle cannot be charged.
  if (sub.attempt > MAX_ATTEMPT) return { kind: "refuse", reason: "too many attempts on this cycle" };
  return change(
    sub,
    {
      customerUid,
      status: "past_due",
      nextChargeAt: now.toISOString(),
      dunning: {
        ...dunningOf({ ...sub, dunning: undefined }, sub.cycle, policy, now),
        lastReason: "new card",
      },
    },
    now,
    `card switched; retrying cycle ${sub.cycle} with the new card`,
  );
}

/**
 * Why a queued (cycle, attempt) must not be charged now, or null when it is
 * exactly the charge the subscription waits on. The dispatcher decides when;
 * this decides whether, so a stale or duplicate message never charges.
 */
export function whyNotCharge(sub: Subscription, cycle: number, attempt: number): string | null {
  if (!CHARGEABLE.has(sub.status)) return `the subscription is ${sub.status}`;
  if (sub.cycle !== cycle || sub.attempt !== attempt) {
    return `the subscription waits on cycle ${sub.cycle} attempt ${sub.attempt}`;
  }
  if (!sub.nextChargeAt) return "the subscription waits for a new card";
  if (sub.cancelAtPeriodEnd) return "the subscription ends at the end of its paid period";
  return null;
}
