import { describe, expect, test } from "vitest";
import { cycleStart } from "../../../../lib/billing/rules/calendar.js";
import {
  applyChargeOutcome,
  type CycleOutcome,
  cancel,
  decideDue,
  pause,
  resume,
  switchCard,
  type Transition,
  whyNotCharge,
} from "../../../../lib/billing/rules/subscription-machine.js";
import type { Subscription } from "../../../../lib/billing/subscription.js";
import { anchor, DAY, ID, policy, subscription } from "../fixtures.js";

const due = cycleStart(anchor, 2); // 2026-02-28 10:00 KST
const at = (ms: number) => new Date(due.getTime() + ms);
const iso = (ms: number) => at(ms).toISOString();

function changed(t: Transition): Subscription {
  if (t.kind !== "change") throw new Error(`expected a change, got ${t.kind}: ${t.reason}`);
  return t.next;
}
const outcome = (kind: CycleOutcome["kind"], patch: Record<string, unknown> = {}): CycleOutcome =>
  ({
    kind,
    cycle: 2,
    attempt: 1,
    merchantUid: `${ID}_2_1`,
    impUid: "imp_1",
    reason: "why",
    severity: "soft",
    ...patch,
  }) as CycleOutcome;

describe("a paid cycle", () => {
  test("active: the next cycle is due at the end of the paid period; version and index move", () => {
    const next = changed(applyChargeOutcome(subscription(), outcome("paid"), policy, at(1000)));

    const periodEnd = cycleStart(anchor, 3).toISOString();
    expect(next).toMatchObject({
      status: "active",
      cycle: 3,
      attempt: 1,
      nextChargeAt: periodEnd,
      paidThrough: periodEnd,
      paidCycles: 2,
      version: 4,
      checkAfter: periodEnd,
      lastCharge: { cycle: 2, attempt: 1, status: "paid", impUid: "imp_1" },
    });
  });

  test("past_due → active: a retry paid, dunning is over", () => {
    const sub = subscription({
      status: "past_due",
      attempt: 3,
      dunning: {
        cycle: 2,
        since: iso(0),
        softDeclines: 2,
        requestErrors: 0,
        waitingForCard: false,
        lastReason: "x",
        endsAt: iso(5 * DAY),
      },
    });

    const next = changed(applyChargeOutcome(sub, outcome("paid", { attempt: 3 }), policy, at(3 * DAY)));

    expect(next).toMatchObject({ status: "active", cycle: 3, attempt: 1 });
    expect(next.dunning).toBeUndefined();
  });

  test("paid while paused or canceled (the charge was in flight): the money is recorded, the state stays", () => {
    for (const status of ["paused", "canceled"] as const) {
      const next = changed(
        applyChargeOutcome(subscription({ status, nextChargeAt: null }), outcome("paid"), policy, at(0)),
      );

      expect(next).toMatchObject({ status, cycle: 3, nextChargeAt: null, paidCycles: 2 });
      expect(next.checkAfter).toBeUndefined();
    }
  });

  test("a payment for a cycle already settled changes nothing (a duplicate)", () => {
    expect(applyChargeOutcome(subscription({}, 3), outcome("paid"), policy, at(0)).kind).toBe("none");
  });
});

describe("dunning: soft declines retry on the policy's days, counted from the first failure", () => {
  test("decline 1, 2, 3 retry at +1, +3, +5 days; decline 4 exhausts the retries → unpaid", () => {
    let sub = subscription();
    const retries: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const when = n === 1 ? at(0) : new Date(Date.parse(sub.nextChargeAt ?? ""));
      sub = changed(applyChargeOutcome(sub, outcome("declined", { attempt: n }), policy, when));
      expect(sub).toMatchObject({
        status: "past_due",
        attempt: n + 1,
        dunning: { softDeclines: n, since: iso(0) },
      });
      retries.push(sub.nextChargeAt ?? "");
    }

    expect(retries).toEqual([iso(DAY), iso(3 * DAY), iso(5 * DAY)]);
    const last = changed(applyChargeOutcome(sub, outcome("declined", { attempt: 4 }), policy, at(5 * DAY)));
    expect(last).toMatchObject({
      status: "unpaid",
      nextChargeAt: null,
      attempt: 5,
      dunning: { softDeclines: 4 },
    });
    expect(last.checkAfter).toBeUndefined();
  });

  test("with exhaustedAction cancel, exhausted retries cancel the subscription", () => {
    const sub = subscription({
      status: "past_due",
      attempt: 4,
      dunning: {
        cycle: 2,
        since: iso(0),
        softDeclines: 3,
        requestErrors: 0,
        waitingForCard: false,
        lastReason: "x",
        endsAt: iso(5 * DAY),
      },
    });

    const next = changed(
      applyChargeOutcome(
        sub,
        outcome("declined", { attempt: 4 }),
        { ...policy, exhaustedAction: "cancel" },
        at(5 * DAY),
      ),
    );

    expect(next).toMatchObject({ status: "canceled", canceledAt: iso(5 * DAY) });
  });

  test("a retry that ran late is never rescheduled sooner than an hour after the decline", () => {
    const sub = subscription({
      status: "past_due",
      attempt: 2,
      dunning: {
        cycle: 2,
        since: iso(0),
        softDeclines: 1,
        requestErrors: 0,
        waitingForCard: false,
        lastReason: "x",
        endsAt: iso(5 * DAY),
      },
    });

    const next = changed(applyChargeOutcome(sub, outcome("declined", { attempt: 2 }), policy, at(4 * DAY)));

    expect(next.nextChargeAt).toBe(iso(4 * DAY + 3_600_000));
  });
});

describe("hard declines, refusals and rejections", () => {
  test("a hard decline waits for a new card: no retry, the due index holds the end of the wait", () => {
    const next = changed(
      applyChargeOutcome(
        subscription(),
        outcome("declined", { severity: "hard", reason: "[8310] 분실신고 카드" }),
        policy,
        at(0),
      ),
    );

    expect(next).toMatchObject({
      status: "past_due",
      nextChargeAt: null,
      attempt: 2,
      dunning: { waitingForCard: true, lastReason: "[8310] 분실신고 카드", endsAt: iso(5 * DAY) },
      checkAfter: iso(5 * DAY),
    });
  });

  test("a request error is not a decline: the status stays, the same cycle is retried after the error delay", () => {
    const next = changed(
      applyChargeOutcome(subscription(), outcome("error", { reason: "bad request" }), policy, at(0)),
    );

    expect(next).toMatchObject({
      status: "active",
      attempt: 2,
      nextChargeAt: iso(60 * 60_000),
      dunning: { requestErrors: 1, softDeclines: 0, waitingForCard: false },
    });
  });

  test("too many request errors: past_due, waiting for a person or a new card", () => {
    let sub = subscription();
    for (let n = 1; n <= 3; n++) {
      sub = changed(applyChargeOutcome(sub, outcome("error", { attempt: n }), policy, at(n * 3_600_000)));
    }

    expect(sub).toMatchObject({
      status: "past_due",
      nextChargeAt: null,
      dunning: { requestErrors: 3, waitingForCard: true },
    });
  });

  test("a rejected payment (failed verification) stops charging", () => {
    const next = changed(
      applyChargeOutcome(subscription(), outcome("rejected", { reason: "amount_mismatch" }), policy, at(0)),
    );

    expect(next).toMatchObject({ status: "past_due", nextChargeAt: null, dunning: { waitingForCard: true } });
  });

  test("a failure of an attempt the subscription no longer waits on changes nothing", () => {
    expect(applyChargeOutcome(subscription({ attempt: 2 }), outcome("declined"), policy, at(0)).kind).toBe(
      "none",
    );
    expect(
      applyChargeOutcome(subscription({ status: "paused" }), outcome("declined"), policy, at(0)).kind,
    ).toBe("none");
  });
});

describe("the dispatcher's decision", () => {
  test("due → charge this cycle attempt; not yet due → back in the index at its time", () => {
    expect(decideDue(subscription(), policy, at(0))).toEqual({ kind: "charge", cycle: 2, attempt: 1 });
    expect(decideDue(subscription(), policy, at(-1))).toEqual({ kind: "reindex", checkAfter: iso(0) });
  });

  test("cancel at period end: at the next cycle's date it is canceled, not charged", () => {
    const decision = decideDue(subscription({ cancelAtPeriodEnd: true }), policy, at(0));

    expect(decision.kind).toBe("end");
    if (decision.kind === "end")
      expect(decision.transition.next).toMatchObject({ status: "canceled", canceledAt: iso(0) });
  });

  test("waiting for a card past the end of dunning → unpaid", () => {
    const sub = changed(
      applyChargeOutcome(subscription(), outcome("declined", { severity: "hard" }), policy, at(0)),
    );

    expect(decideDue(sub, policy, at(5 * DAY - 1)).kind).toBe("reindex");
    const decision = decideDue(sub, policy, at(5 * DAY));
    expect(decision.kind).toBe("end");
    if (decision.kind === "end") expect(decision.transition.next.status).toBe("unpaid");
  });

  test("paused, unpaid and canceled subscriptions leave the index", () => {
    for (const status of ["paused", "unpaid", "canceled"] as const) {
      expect(decideDue(subscription({ status }), policy, at(0))).toEqual({
        kind: "reindex",
        checkAfter: undefined,
      });
    }
  });
});

describe("merchant commands", () => {
  test("cancel now ends billing at once; repeating it changes nothing", () => {
    const next = changed(cancel(subscription(), "now", "customer left", at(-DAY)));

    expect(next).toMatchObject({
      status: "canceled",
      nextChargeAt: null,
      canceledAt: iso(-DAY),
      cancelReason: "customer left",
    });
    expect(next.checkAfter).toBeUndefined();
    expect(cancel(next, "now", "again", at(0)).kind).toBe("none");
  });

  test("cancel at period end keeps the paid period; without one running it cancels now", () => {
    const sub = subscription({ paidThrough: iso(0) });

    expect(changed(cancel(sub, "period_end", "r", at(-DAY)))).toMatchObject({
      status: "active",
      cancelAtPeriodEnd: true,
    });
    expect(changed(cancel(subscription({ paidThrough: null }), "period_end", "r", at(-DAY)))).toMatchObject({
      status: "canceled",
    });
    expect(changed(cancel(subscription({ status: "past_due" }), "period_end", "r", at(DAY)))).toMatchObject({
      status: "canceled",
    });
  });

  test("pause: active → paused; past_due is refused; paused again changes nothing", () => {
    const paused = changed(pause(subscription(), at(-DAY)));

    expect(paused).toMatchObject({ status: "paused", nextChargeAt: null, pausedAt: iso(-DAY) });
    expect(pause(paused, at(0)).kind).toBe("none");
    expect(pause(subscription({ status: "past_due" }), at(0)).kind).toBe("refuse");
  });

  test("resume before the next date keeps the cycle; after it, the cycles dated in the pause are skipped", () => {
    const paused = changed(pause(subscription(), at(-DAY)));

    expect(changed(resume(paused, at(-DAY / 2)))).toMatchObject({
      status: "active",
      cycle: 2,
      nextChargeAt: iso(0),
    });
    const late = changed(resume(paused, at(40 * DAY)));
    expect(late).toMatchObject({ status: "active", cycle: 4, attempt: 1, skippedCycles: 2 });
    expect(late.nextChargeAt).toBe(cycleStart(anchor, 4).toISOString());
    expect(resume(subscription({ status: "canceled" }), at(0)).kind).toBe("refuse");
  });

  test("a pause never forgives a cycle already due: it stays owed, is charged on resume, and only the cycles dated inside the pause are skipped", () => {
    // Cycle 2 fell due (its attempt may be in flight) and the merchant paused an hour later.
    const paused = changed(pause(subscription(), at(60 * 60_000)));
    const resumed = changed(resume(paused, at(40 * DAY)));

    expect(resumed).toMatchObject({ status: "active", cycle: 2, attempt: 1, nextChargeAt: iso(40 * DAY) });
    expect(resumed.resumeSkipTo).toBe(4);
    expect(whyNotCharge(resumed, 2, 1)).toBeNull();

    const paid = changed(applyChargeOutcome(resumed, outcome("paid"), policy, at(40 * DAY + 1000)));
    expect(paid).toMatchObject({
      cycle: 4,
      paidCycles: 2,
      skippedCycles: 1, // cycle 3, dated inside the pause
      paidThrough: cycleStart(anchor, 3).toISOString(),
      nextChargeAt: cycleStart(anchor, 4).toISOString(),
    });
    expect(paid.resumeSkipTo).toBeUndefined();
  });

  test("a late charge that pays an unpaid subscription's owed cycle makes it active again", () => {
    const unpaid = subscription({ status: "unpaid", nextChargeAt: null, attempt: 5 });
    const paid = changed(applyChargeOutcome(unpaid, outcome("paid", { attempt: 4 }), policy, at(DAY)));
    expect(paid).toMatchObject({
      status: "active",
      cycle: 3,
      nextChargeAt: cycleStart(anchor, 3).toISOString(),
    });
  });

  test("a new card: active just switches; past_due and unpaid are retried at once with fresh dunning", () => {
    expect(changed(switchCard(subscription(), "cu_card_2", policy, at(0)))).toMatchObject({
      customerUid: "cu_card_2",
      status: "active",
      attempt: 1,
    });
    const hard = changed(
      applyChargeOutcome(subscription(), outcome("declined", { severity: "hard" }), policy, at(0)),
    );
    const retried = changed(switchCard(hard, "cu_card_2", policy, at(DAY)));
    expect(retried).toMatchObject({
      status: "past_due",
      attempt: 2,
      nextChargeAt: iso(DAY),
      dunning: { since: iso(DAY), softDeclines: 0, waitingForCard: false },
    });
    const unpaid = { ...hard, status: "unpaid" as const };
    expect(changed(switchCard(unpaid, "cu_card_2", policy, at(9 * DAY)))).toMatchObject({
      status: "past_due",
      nextChargeAt: iso(9 * DAY),
    });
    expect(switchCard(subscription(), "cu_card_1", policy, at(0)).kind).toBe("none");
    expect(switchCard(subscription({ status: "canceled" }), "cu_card_2", policy, at(0)).kind).toBe("refuse");
  });

  test("a failure of the replaced card (switched while the charge was in flight) retries the new card at once", () => {
    // Active on cu_card_2 now; attempt 1 was claimed on cu_card_1, whose key the switch deleted at iamport.
    const sub = subscription({ customerUid: "cu_card_2", previousCustomerUid: "cu_card_1" });
    for (const failure of [
      outcome("declined", {
        severity: "hard",
        reason: "billing key not found at iamport",
        customerUid: "cu_card_1",
      }),
      outcome("declined", { severity: "soft", customerUid: "cu_card_1" }),
      outcome("error", { customerUid: "cu_card_1" }),
    ]) {
      const next = changed(applyChargeOutcome(sub, failure, policy, at(60_000)));
      expect(next).toMatchObject({
        customerUid: "cu_card_2",
        status: "past_due",
        attempt: 2,
        nextChargeAt: iso(60_000),
        checkAfter: iso(60_000),
        dunning: { waitingForCard: false, softDeclines: 0, requestErrors: 0 },
      });
      // Never stuck waiting for the card the merchant already gave (switching to it again is a no-op).
      expect(whyNotCharge(next, 2, 2)).toBeNull();
    }
    // The same card's hard decline still waits for a new one.
    const own = outcome("declined", { severity: "hard", customerUid: "cu_card_2" });
    expect(changed(applyChargeOutcome(sub, own, policy, at(0)))).toMatchObject({
      nextChargeAt: null,
      dunning: { waitingForCard: true },
    });
  });
});

describe("whether a queued message may charge", () => {
  test("only the exact cycle attempt a chargeable subscription waits on", () => {
    expect(whyNotCharge(subscription(), 2, 1)).toBeNull();
    expect(whyNotCharge(subscription(), 2, 2)).toMatch(/waits on cycle 2 attempt 1/);
    expect(whyNotCharge(subscription(), 1, 1)).toMatch(/waits on cycle 2/);
    expect(whyNotCharge(subscription({ status: "paused" }), 2, 1)).toMatch(/paused/);
    expect(whyNotCharge(subscription({ nextChargeAt: null }), 2, 1)).toMatch(/new card/);
    expect(whyNotCharge(subscription({ cancelAtPeriodEnd: true }), 2, 1)).toMatch(/period/);
  });
});
