/**
 * The subscription's events over any sequence of commands and charge outcomes
 * (fast-check): every event's body is its type's schema, no id repeats across
 * the sequence, each carries the version its change made, and a change into
 * past_due, unpaid, paused or canceled publishes exactly one event of that
 * status.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
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
import { eventSchemas } from "../../../../lib/events/event-schemas.js";
import { DAY, ID, policy, subscription } from "../fixtures.js";

const start = new Date("2026-02-28T01:00:00.000Z");
type Step =
  | { op: "pause" | "resume" | "cancel_now" | "cancel_end" | "card" }
  | { op: "charge"; kind: "paid" | "soft" | "hard" | "error" };
const steps = fc.array(
  fc.oneof(
    fc.record({
      op: fc.constantFrom("pause", "resume", "cancel_now", "cancel_end", "card"),
    }) as fc.Arbitrary<Step>,
    fc.record({
      op: fc.constant("charge"),
      kind: fc.constantFrom("paid", "soft", "hard", "error"),
    }) as fc.Arbitrary<Step>,
  ),
  { maxLength: 12 },
);

function apply(sub: Subscription, step: Step, i: number, now: Date): Transition {
  switch (step.op) {
    case "pause":
      return pause(sub, now);
    case "resume":
      return resume(sub, now);
    case "cancel_now":
      return cancel(sub, "now", "asked", now);
    case "cancel_end":
      return cancel(sub, "period_end", "asked", now);
    case "card":
      return switchCard(sub, `cu_card_${i}`, policy, now);
    case "charge": {
      const common = {
        cycle: sub.cycle,
        attempt: sub.attempt,
        merchantUid: `${ID}_${sub.cycle}_${sub.attempt}`,
      };
      const outcome: CycleOutcome =
        step.kind === "paid"
          ? { ...common, kind: "paid", impUid: `imp_${i}` }
          : step.kind === "error"
            ? { ...common, kind: "error", reason: "refused" }
            : { ...common, kind: "declined", severity: step.kind, reason: "declined" };
      return applyChargeOutcome(sub, outcome, policy, now);
    }
  }
}

test("any sequence: valid bodies, unique ids, one event per status entered", () => {
  fc.assert(
    fc.property(steps, (sequence) => {
      let sub = subscription({}, 2);
      const ids = new Set<string>();
      for (const [i, step] of sequence.entries()) {
        const now = new Date(start.getTime() + i * DAY);
        const t = apply(sub, step, i, now);
        if (t.kind !== "change") continue;
        const events = subscriptionEvents(sub, t.next, historyEvent(sub, t.next, "api", t.reason));
        for (const e of events) {
          expect(eventSchemas[e.type].safeParse(e.data).success, e.type).toBe(true);
          expect(ids.has(e.id), e.id).toBe(false);
          ids.add(e.id);
          expect(e.aggregate.version).toBe(t.next.version);
        }
        if (sub.status !== t.next.status && t.next.status !== "active")
          expect(events.filter((e) => e.type === `subscription.${t.next.status}`)).toHaveLength(1);
        sub = t.next;
      }
    }),
    { numRuns: 300 },
  );
});
