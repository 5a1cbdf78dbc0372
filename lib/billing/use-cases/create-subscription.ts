/**
 * `POST /subscriptions`: verify the billing key with iamport, store the
 * subscription and schedule its first cycle (charged now, or at start_at).
 * The id is derived from the required Idempotency-Key, so a retry finds the
 * same subscription instead of creating (and charging) a second one.
 */
import { ConflictError, ValidationError } from "../../errors.js";
import { hashRequest } from "../../request-hash.js";
import type { CreateSubscriptionBody } from "../api-schemas.js";
import { verifiedFields } from "../billing-key.js";
import type { SubscriptionDeps } from "../deps.js";
import { DAY_MS } from "../rules/billing-policy.js";
import {
  anchorFor,
  type BillingAnchor,
  cycleStart,
  MAX_INTERVAL_COUNT,
  nextAnchorDate,
} from "../rules/calendar.js";
import { subscriptionIdFor } from "../rules/merchant-uid.js";
import { checkAfterOf } from "../rules/subscription-machine.js";
import { DEFAULT_TRIAL_NOTICE_DAYS, trialFor } from "../rules/trial.js";
import { historyEvent, type Subscription } from "../subscription.js";
import { queueCharge } from "./queue-charge.js";
import { verifyBillingKey } from "./verify-billing-key.js";

/** A start_at this far in the past is "now" (clock skew between the merchant and us). */
const START_SKEW_MS = 5 * 60_000;
const MAX_START_AHEAD_MS = 366 * 24 * 60 * 60_000;

export interface CreateSubscriptionResult {
  subscription: Subscription;
  /** False when this was a retry that found the subscription already there. */
  created: boolean;
}

/**
 * @throws ValidationError for a start_at or anchor_day that cannot work, or a billing key iamport does not vouch for
 * @throws ConflictError when the Idempotency-Key was used for a different request, or the key is being deleted
 * @throws RetryLaterError when iamport cannot be asked about the key now (nothing is written)
 */
export async function createSubscription(
  deps: SubscriptionDeps,
  input: { body: CreateSubscriptionBody; idempotencyKey: string },
): Promise<CreateSubscriptionResult> {
  const { body } = input;
  const now = deps.clock();
  const id = subscriptionIdFor(input.idempotencyKey);
  const requestHash = hashRequest(body);
  const found = await deps.subscriptions.get(id);
  if (found) return replay(found, requestHash);

  // A trial: cycle 1 is due when it ends, so the plan's anchor (its billing day and minute) is the trial's end.
  const trialEnd =
    body.trial_days === undefined ? undefined : new Date(now.getTime() + body.trial_days * DAY_MS);
  const anchor = planAnchor(body, trialEnd ?? now);
  const trial =
    body.trial_days === undefined
      ? undefined
      : {
          days: body.trial_days,
          ...trialFor(now, cycleStart(anchor, 1), deps.policy.trialNoticeDays ?? DEFAULT_TRIAL_NOTICE_DAYS),
        };
  const key = await verifyBillingKey(deps, body.customer_uid);
  const keyRecord = await deps.billingKeys.get(body.customer_uid);
  if (keyRecord?.status === "deleting") throw keyBeingDeleted();

  const at = now.toISOString();
  const draft: Subscription = {
    id,
    status: "active",
    version: 1,
    customerUid: body.customer_uid,
    plan: {
      name: body.plan.name,
      amount: body.plan.amount,
      interval: body.plan.interval,
      ...(body.plan.interval_count && body.plan.interval_count > 1
        ? { intervalCount: body.plan.interval_count }
        : {}),
    },
    currency: "KRW",
    anchor,
    buyer: {
      ...(body.buyer_name ? { name: body.buyer_name } : {}),
      ...(body.buyer_email ? { email: body.buyer_email } : {}),
      ...(body.buyer_tel ? { tel: body.buyer_tel } : {}),
      ...(body.buyer_addr ? { addr: body.buyer_addr } : {}),
      ...(body.buyer_postcode ? { postcode: body.buyer_postcode } : {}),
    },
    idempotencyKey: input.idempotencyKey,
    requestHash,
    cycle: 1,
    attempt: 1,
    nextChargeAt: cycleStart(anchor, 1).toISOString(),
    paidThrough: null,
    paidCycles: 0,
    skippedCycles: 0,
    ...(trial ? { trial } : {}),
    cancelAtPeriodEnd: false,
    createdAt: at,
    updatedAt: at,
  };
  const sub: Subscription = { ...draft, checkAfter: checkAfterOf(draft) };
  const created = await deps.subscriptions.create(
    sub,
    historyEvent(
      null,
      sub,
      "api",
      `subscribed to ${sub.plan.name}${trial ? `; ${trial.days}-day trial, card verified` : ""}; first charge at ${sub.nextChargeAt}`,
    ),
    { customerUid: body.customer_uid, subscriptionIds: [], ...verifiedFields(key, now), updatedAt: at },
  );
  if (!created.created) {
    if (!created.existing) throw keyBeingDeleted();
    return replay(created.existing, requestHash);
  }
  deps.logger.info("subscription created", { subscription_id: id, next_charge_at: sub.nextChargeAt });
  if (Date.parse(sub.nextChargeAt ?? "") <= now.getTime()) await queueCharge(deps, sub);
  return { subscription: sub, created: true };
}

function replay(found: Subscription, requestHash: string): CreateSubscriptionResult {
  if (found.requestHash !== requestHash) {
    throw new ConflictError(
      "this Idempotency-Key was used for a different subscription request; use a new key for a new subscription",
      "idempotency_key_reused",
    );
  }
  return { subscription: found, created: false };
}

function keyBeingDeleted(): ConflictError {
  return new ConflictError("this billing key is being deleted; issue a new one", "billing_key_deleting");
}

/**
 * The anchor from start_at / anchor_day (or the trial's end, passed as `now`: the plan bills on the day
 * the trial ends), or a ValidationError naming what cannot work.
 */
function planAnchor(body: CreateSubscriptionBody, now: Date): BillingAnchor {
  if (body.trial_days !== undefined && (body.start_at !== undefined || body.anchor_day !== undefined)) {
    throw new ValidationError([
      {
        field: "trial_days",
        reason:
          "a trial sets the first charge (its end) and the billing day: send it without start_at and anchor_day",
      },
    ]);
  }
  const { interval, interval_count: count = 1 } = body.plan;
  if (count > MAX_INTERVAL_COUNT[interval]) {
    throw new ValidationError([
      {
        field: "plan.interval_count",
        reason: `must be at most ${MAX_INTERVAL_COUNT[interval]} for interval ${interval}`,
      },
    ]);
  }
  if (body.anchor_day !== undefined && (interval === "day" || interval === "week")) {
    throw new ValidationError([
      {
        field: "anchor_day",
        reason: `is for monthly and yearly plans; a plan billed by the ${interval} counts from its first charge`,
      },
    ]);
  }
  let first = now;
  if (body.start_at !== undefined) {
    const start = Date.parse(body.start_at);
    if (start < now.getTime() - START_SKEW_MS) {
      throw new ValidationError([
        { field: "start_at", reason: "must not be in the past (omit it to start now)" },
      ]);
    }
    if (start > now.getTime() + MAX_START_AHEAD_MS) {
      throw new ValidationError([{ field: "start_at", reason: "must be at most a year ahead" }]);
    }
    first = new Date(Math.max(start, now.getTime()));
  } else if (body.anchor_day !== undefined) {
    // No start_at: the subscription starts on its next anchor date (today if today is one).
    first = nextAnchorDate(now, body.anchor_day);
  }
  try {
    return anchorFor(first, interval, body.anchor_day, count);
  } catch {
    throw new ValidationError([
      {
        field: "anchor_day",
        reason:
          "start_at must fall on anchor_day in Asia/Seoul (the month's last day when it is shorter), so the " +
          "first cycle is a whole period; or omit start_at to start on the next anchor day",
      },
    ]);
  }
}
