/**
 * Merchant commands on a subscription: cancel (now or at period end), pause
 * and resume. Each is a pure transition (subscription-machine.ts) written
 * with `version = :v`; a lost race (a charge settling at the same moment)
 * re-reads and decides again.
 */
import { ConflictError, NotFoundError } from "../../errors.js";
import type { SubscriptionDeps } from "../deps.js";
import { cancel, pause, resume, type Transition } from "../rules/subscription-machine.js";
import { historyEvent, type Subscription } from "../subscription.js";

export interface ChangeResult {
  subscription: Subscription;
  /** False when the subscription already was in the asked state (a retry): nothing written. */
  changed: boolean;
}

/** Races lost before giving up; each retry re-reads. */
const MAX_ROUNDS = 5;

/**
 * Applies `decide` to the current subscription.
 * @throws NotFoundError, ConflictError (`invalid_state`) when the command is not allowed now
 */
export async function changeSubscription(
  deps: Pick<SubscriptionDeps, "subscriptions" | "clock" | "logger">,
  id: string,
  decide: (sub: Subscription, now: Date) => Transition,
): Promise<ChangeResult> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const sub = await deps.subscriptions.get(id);
    if (!sub) throw new NotFoundError(`subscription ${id}`);
    const transition = decide(sub, deps.clock());
    if (transition.kind === "none") return { subscription: sub, changed: false };
    if (transition.kind === "refuse") throw new ConflictError(transition.reason, "invalid_state");
    const saved = await deps.subscriptions.save(
      sub,
      transition.next,
      historyEvent(sub, transition.next, "api", transition.reason),
    );
    if (saved.saved) {
      deps.logger.info("subscription changed", { subscription_id: id, reason: transition.reason });
      return { subscription: transition.next, changed: true };
    }
  }
  throw new ConflictError("the subscription kept changing; retry the request", "subscription_busy");
}

/** `POST /subscriptions/{id}/cancel`: now, or at the end of the paid period. */
export const cancelSubscription = (
  deps: Pick<SubscriptionDeps, "subscriptions" | "clock" | "logger">,
  input: { id: string; at: "now" | "period_end"; reason?: string },
) =>
  changeSubscription(deps, input.id, (sub, now) =>
    cancel(sub, input.at, input.reason ?? "canceled by the merchant", now),
  );

/** `POST /subscriptions/{id}/pause`: an active subscription stops being charged. */
export const pauseSubscription = (
  deps: Pick<SubscriptionDeps, "subscriptions" | "clock" | "logger">,
  id: string,
) => changeSubscription(deps, id, pause);

/** `POST /subscriptions/{id}/resume`: billing continues on the anchor calendar. */
export const resumeSubscription = (
  deps: Pick<SubscriptionDeps, "subscriptions" | "clock" | "logger">,
  id: string,
) => changeSubscription(deps, id, resume);
