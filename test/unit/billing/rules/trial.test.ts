import { describe, expect, test } from "vitest";
import { cycleStart } from "../../../../lib/billing/rules/calendar.js";
import { cancel, checkAfterOf, decideDue } from "../../../../lib/billing/rules/subscription-machine.js";
import { trialFor } from "../../../../lib/billing/rules/trial.js";
import type { Subscription } from "../../../../lib/billing/subscription.js";
import { anchor, DAY, policy, subscription } from "../fixtures.js";

const trialEnd = cycleStart(anchor, 1); // 2026-01-31 10:00 KST: cycle 1 is charged when the trial ends
const created = new Date(trialEnd.getTime() - 14 * DAY);

/** A subscription in a 14-day trial, cycle 1 due at its end, never paid. */
function trialing(patch: Partial<Subscription> = {}): Subscription {
  const sub = subscription(
    { paidThrough: null, paidCycles: 0, trial: { days: 14, ...trialFor(created, trialEnd, 3) }, ...patch },
    1,
  );
  return { ...sub, checkAfter: checkAfterOf(sub) };
}

describe("the trial's dates", () => {
  test("the first charge is N whole days on, the notice the configured days before it", () => {
    expect(trialFor(created, trialEnd, 3)).toEqual({
      endsAt: trialEnd.toISOString(),
      noticeAt: new Date(trialEnd.getTime() - 3 * DAY).toISOString(),
    });
  });

  test("a notice period as long as the trial or longer: the notice is due at once", () => {
    expect(trialFor(created, new Date(created.getTime() + 2 * DAY), 3).noticeAt).toBe(created.toISOString());
  });
});

describe("the dispatcher in a trial", () => {
  test("the due index waits for the notice first, then the first charge", () => {
    const sub = trialing();

    expect(sub.checkAfter).toBe(sub.trial?.noticeAt);
    expect(decideDue(sub, policy, new Date(Date.parse(sub.trial?.noticeAt ?? "") - 1)).kind).toBe("reindex");
  });

  test("at the notice point: a change with no charge, recorded once; then the index waits for the trial's end", () => {
    const sub = trialing();
    const at = new Date(Date.parse(sub.trial?.noticeAt ?? ""));

    const decision = decideDue(sub, policy, at);

    if (decision.kind !== "notice") throw new Error(`expected a notice, got ${decision.kind}`);
    const next = decision.transition.next;
    expect(next.trial?.noticedAt).toBe(at.toISOString());
    expect(next.version).toBe(sub.version + 1);
    expect(next.checkAfter).toBe(trialEnd.toISOString());
    expect(decision.transition.reason).toMatch(/trial ends at 2026-01-31T01:00:00.000Z/);
    expect(decideDue(next, policy, at).kind).toBe("reindex");
  });

  test("at the trial's end cycle 1 is charged (the notice, if missed, is recorded first)", () => {
    const noticed = trialing({ trial: { days: 14, ...trialFor(created, trialEnd, 3), noticedAt: "x" } });

    expect(decideDue(noticed, policy, trialEnd)).toEqual({ kind: "charge", cycle: 1, attempt: 1 });
    expect(decideDue(trialing(), policy, trialEnd).kind).toBe("notice");
  });
});

describe("cancel in a trial", () => {
  test("now or at period end: canceled at once, nothing left to charge", () => {
    for (const at of ["now", "period_end"] as const) {
      const t = cancel(trialing(), at, "changed my mind", new Date(created.getTime() + DAY));
      if (t.kind !== "change") throw new Error(t.reason);
      expect(t.next).toMatchObject({ status: "canceled", nextChargeAt: null });
      expect(t.next.checkAfter).toBeUndefined();
    }
  });
});
