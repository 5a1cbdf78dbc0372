/**
 * `POST /subscriptions/{id}/plan`: a new amount (and name) from the next
 * cycle, or now, never prorated (plan-change.ts decides). Written like every
 * merchant command, with `version = :v`, so a charge claimed at the same
 * moment either sees the change (its claim fails and re-reads) or was claimed
 * first and keeps the amount it was claimed with; either way the cycle is
 * charged once.
 *
 * The Idempotency-Key is remembered on the subscription (the last
 * {@link MAX_PLAN_CHANGE_REQUESTS}) in the same conditional write as the
 * change, so a late retry of an older request cannot undo a newer change.
 */
import { ConflictError, NotFoundError } from "../../errors.js";
import { hashRequest } from "../../request-hash.js";
import type { ChangePlanBody } from "../api-schemas.js";
import type { SubscriptionDeps } from "../deps.js";
import { changePlan } from "../rules/plan-change.js";
import {
  historyEvent,
  MAX_PLAN_CHANGE_REQUESTS,
  type PlanChangeRecord,
  type Subscription,
  type SubscriptionEvent,
} from "../subscription.js";

export interface ChangePlanResult {
  subscription: Subscription;
  /** False when nothing changed: the plan asked for was already in place, or this was a retry. */
  changed: boolean;
  /** True when the Idempotency-Key was seen before with this body: the earlier answer stands. */
  replayed: boolean;
}

/** Races lost before giving up; each retry re-reads. */
const MAX_ROUNDS = 5;

/**
 * @throws NotFoundError; ConflictError `invalid_state` (canceled, ending at period end),
 *   `idempotency_key_reused` (the key came with another body), `subscription_busy`
 */
export async function changeSubscriptionPlan(
  deps: Pick<SubscriptionDeps, "subscriptions" | "clock" | "logger">,
  input: { id: string; body: ChangePlanBody; idempotencyKey: string },
): Promise<ChangePlanResult> {
  const hash = hashRequest(input.body);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sub = await deps.subscriptions.get(input.id);
    if (!sub) throw new NotFoundError(`subscription ${input.id}`);
    const seen = sub.planChangeRequests?.find((r) => r.key === input.idempotencyKey);
    if (seen) {
      if (seen.hash === hash) return { subscription: sub, changed: false, replayed: true };
      throw new ConflictError(
        "this Idempotency-Key was used for a different plan change; use a new key for a new change",
        "idempotency_key_reused",
      );
    }
    const now = deps.clock();
    const transition = changePlan(sub, input.body, now);
    if (transition.kind === "refuse") throw new ConflictError(transition.reason, "invalid_state");
    // A change that changes nothing is still remembered, so its retry after a later change stays a no-op.
    const changed = transition.kind === "change";
    const base: Subscription = changed
      ? transition.next
      : { ...sub, version: sub.version + 1, updatedAt: now.toISOString() };
    const next: Subscription = {
      ...base,
      planChangeRequests: [...(sub.planChangeRequests ?? []), { key: input.idempotencyKey, hash }].slice(
        -MAX_PLAN_CHANGE_REQUESTS,
      ),
    };
    const event: SubscriptionEvent = {
      ...historyEvent(sub, next, "api", transition.reason),
      ...(changed ? { plan: planChangeRecord(sub, next, input.body.effective) } : {}),
    };
    // `subscription.plan_changed` (lib/billing/subscription-events.ts, from `event.plan`) is written by this same
    // conditional write as an outbox item, so a change that lost its race publishes nothing.
    const saved = await deps.subscriptions.save(sub, next, event);
    if (saved.saved) {
      deps.logger.info("subscription plan change", { subscription_id: sub.id, reason: transition.reason });
      return { subscription: next, changed, replayed: false };
    }
  }
  throw new ConflictError("the subscription kept changing; retry the request", "subscription_busy");
}

function planChangeRecord(
  sub: Subscription,
  next: Subscription,
  effective: ChangePlanBody["effective"],
): PlanChangeRecord {
  const to = next.pendingPlan ?? next.plan;
  return {
    from: { name: sub.plan.name, amount: sub.plan.amount },
    to: { name: to.name, amount: to.amount },
    effective,
    fromCycle: next.pendingPlan?.fromCycle ?? next.cycle,
  };
}
