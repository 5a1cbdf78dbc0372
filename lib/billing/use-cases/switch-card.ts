/**
 * `POST /subscriptions/{id}/card`: move a subscription to a new, verified
 * billing key. A past_due (or unpaid) subscription is retried at once with
 * the new card. The old key is deleted at iamport (which never revokes a
 * replaced key itself) only after the switch is saved, and only when no
 * other subscription charges it.
 */

import { ConflictError, NotFoundError } from "../../errors.js";
import { IamportNotFoundError } from "../../iamport/errors.js";
import { verifiedFields } from "../billing-key.js";
import type { SubscriptionDeps } from "../deps.js";
import { switchCard as switchCardTransition } from "../rules/subscription-machine.js";
import { historyEvent, type Subscription } from "../subscription.js";
import { queueCharge } from "./queue-charge.js";
import { verifyBillingKey } from "./verify-billing-key.js";

/** What happened to the replaced card's billing key. */
export type OldKeyOutcome = "deleted" | "in_use" | "delete_failed" | "none";

export interface SwitchCardResult {
  subscription: Subscription;
  changed: boolean;
  /** A retry of the unpaid cycle with the new card was queued. */
  retryQueued: boolean;
  oldCard: { customerUid: string; outcome: OldKeyOutcome } | null;
}

const MAX_ROUNDS = 5;

/**
 * @throws ValidationError when iamport does not vouch for the new key
 * @throws NotFoundError, ConflictError (canceled subscription, key being deleted, busy)
 */
export async function switchCard(
  deps: SubscriptionDeps,
  input: { id: string; customerUid: string },
): Promise<SwitchCardResult> {
  const key = await verifyBillingKey(deps, input.customerUid);
  const record = await deps.billingKeys.get(input.customerUid);
  if (record?.status === "deleting") {
    throw new ConflictError("this billing key is being deleted; issue a new one", "billing_key_deleting");
  }
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const now = deps.clock();
    const sub = await deps.subscriptions.get(input.id);
    if (!sub) throw new NotFoundError(`subscription ${input.id}`);
    const transition = switchCardTransition(sub, input.customerUid, deps.policy, now);
    if (transition.kind === "refuse") throw new ConflictError(transition.reason, "invalid_state");
    if (transition.kind === "none") {
      // A retry of a switch whose old-key deletion failed tries that deletion again.
      const old = sub.previousCustomerUid;
      const outcome = old ? await deleteUnusedKey(deps, old) : "none";
      return {
        subscription: sub,
        changed: false,
        retryQueued: false,
        oldCard: old ? { customerUid: old, outcome } : null,
      };
    }
    const next: Subscription = { ...transition.next, previousCustomerUid: sub.customerUid };
    const saved = await deps.subscriptions.switchCard(
      sub,
      next,
      historyEvent(sub, next, "api", transition.reason),
      {
        customerUid: input.customerUid,
        subscriptionIds: [],
        ...verifiedFields(key, now),
        updatedAt: now.toISOString(),
      },
    );
    if (!saved.saved) continue;
    deps.logger.info("card switched", { subscription_id: sub.id, status: next.status });
    const due = next.nextChargeAt !== null && Date.parse(next.nextChargeAt) <= now.getTime();
    const retryQueued = next.status === "past_due" && due ? await queueCharge(deps, next) : false;
    const outcome = await deleteUnusedKey(deps, sub.customerUid);
    return {
      subscription: next,
      changed: true,
      retryQueued,
      oldCard: { customerUid: sub.customerUid, outcome },
    };
  }
  throw new ConflictError("the subscription kept changing; retry the request", "subscription_busy");
}

/** Deletes a key at iamport when no subscription charges it any more (marked first, so none can start to). */
async function deleteUnusedKey(deps: SubscriptionDeps, customerUid: string): Promise<OldKeyOutcome> {
  const now = deps.clock();
  const current = await deps.billingKeys.get(customerUid);
  if (current?.status === "deleted") return "deleted";
  if (!(await deps.billingKeys.markDeleting(customerUid, now))) return "in_use";
  try {
    await deps.iamport.deleteBillingKey(customerUid, "정기결제 카드 변경: 이전 카드 삭제");
  } catch (error) {
    if (!(error instanceof IamportNotFoundError)) {
      deps.logger.error("ALERT replaced billing key not deleted at iamport", {
        alert: "billing_key_delete_failed",
        customer_uid: customerUid,
        error,
      });
      return "delete_failed";
    }
  }
  await deps.billingKeys.markDeleted(customerUid, now);
  return "deleted";
}
