/**
 * Plan changes as a pure transition: a new amount (and name) from the next
 * cycle, or now, never prorated. Nothing here moves money: a change only says
 * which plan the cycle waited on (or the one after it) is claimed with, and
 * the claim is conditional on the subscription's version, so a change and a
 * charge of the same cycle are ordered by DynamoDB (see docs/architecture.md,
 * "Plan changes").
 */

import type { PendingPlan, Subscription } from "../subscription.js";
import { cycleStart } from "./calendar.js";
import { checkAfterOf, type Transition } from "./subscription-machine.js";

export type PlanChangeEffective = "now" | "next_cycle";

export interface PlanChangeInput {
  name: string;
  amount: number;
  effective: PlanChangeEffective;
}

const samePlan = (a: { name: string; amount: number }, b: { name: string; amount: number }) =>
  a.name === b.name && a.amount === b.amount;

/**
 * Changes the plan of `sub`.
 *
 * - `now`: the cycle waited on is charged at the new plan from its next
 *   attempt (an attempt already claimed keeps the amount it was claimed with);
 *   the running paid period is neither charged again nor refunded.
 * - `next_cycle`: the first cycle not yet due. When the cycle waited on is not
 *   due yet, that is the one (the plan is replaced at once); when it is due
 *   (being charged, retried in dunning, owed from before a pause), it keeps the
 *   old plan and the new one waits in `pendingPlan` for the cycle after it.
 *
 * The billing calendar, the attempt number, dunning and the due date never
 * move: a change cannot skip a cycle or start a second charge of one.
 * Refused for a canceled subscription and one ending at period end (no cycle
 * to come); the interval is not changed here (a new anchor is a new subscription).
 */
export function changePlan(sub: Subscription, input: PlanChangeInput, now: Date): Transition {
  if (sub.status === "canceled")
    return { kind: "refuse", reason: "a canceled subscription has no plan to change" };
  if (sub.cancelAtPeriodEnd) {
    return {
      kind: "refuse",
      reason: "the subscription ends at the end of its paid period: no cycle is left to change",
    };
  }
  const wanted = { name: input.name, amount: input.amount };
  const cycleDue = cycleStart(sub.anchor, sub.cycle).getTime() <= now.getTime();
  const patch = (fields: Pick<Subscription, "plan" | "pendingPlan">, reason: string): Transition => {
    const next: Subscription = { ...sub, ...fields, version: sub.version + 1, updatedAt: now.toISOString() };
    next.checkAfter = checkAfterOf(next);
    return { kind: "change", next, reason };
  };
  const replace = (reason: string) =>
    patch({ plan: { ...sub.plan, ...wanted }, pendingPlan: undefined }, reason);

  if (input.effective === "now" || !cycleDue) {
    if (samePlan(sub.plan, wanted) && !sub.pendingPlan)
      return { kind: "none", reason: "already on this plan" };
    if (samePlan(sub.plan, wanted))
      return patch({ plan: sub.plan, pendingPlan: undefined }, "pending plan change withdrawn");
    return replace(`plan changed to ${wanted.name} (${wanted.amount} KRW) from cycle ${sub.cycle}`);
  }
  if (sub.pendingPlan && samePlan(sub.pendingPlan, wanted)) {
    return { kind: "none", reason: `already changing to this plan from cycle ${sub.pendingPlan.fromCycle}` };
  }
  if (samePlan(sub.plan, wanted)) {
    if (!sub.pendingPlan) return { kind: "none", reason: "already on this plan" };
    return patch({ plan: sub.plan, pendingPlan: undefined }, "pending plan change withdrawn");
  }
  const pendingPlan: PendingPlan = { ...wanted, fromCycle: sub.cycle + 1, requestedAt: now.toISOString() };
  return patch(
    { plan: sub.plan, pendingPlan },
    `plan changes to ${wanted.name} (${wanted.amount} KRW) from cycle ${pendingPlan.fromCycle}; cycle ${sub.cycle} keeps ${sub.plan.name}`,
  );
}
