/**
 * Charges one cycle attempt (one SQS message). Invariant 3 in code:
 *
 * 1. The attempt is CLAIMED with a conditional write before iamport is
 *    called; a duplicate message finds the claim and does nothing (or waits).
 * 2. `POST /subscribe/payments/again` under the attempt's deterministic
 *    merchant_uid. A decline (code 0, status failed) and a refusal (non-zero
 *    code) are different outcomes; a timeout, 5xx or lost answer is UNKNOWN.
 * 3. An unknown attempt is looked up at iamport (paid first, then any) before
 *    anything else; only when iamport still has no record well after the send
 *    is it sent once more, under the same merchant_uid, so iamport itself
 *    refuses a second payment if the first landed after all.
 * 4. A retry of a cycle (attempt N+1, new merchant_uid) first looks up the
 *    cycle's earlier attempts: one settled as refused or declined may have
 *    been charged after all (a PG communication error). A paid one becomes
 *    the cycle's payment and nothing is sent; an unreadable iamport sends nothing.
 */
import { IamportApiError, IamportError, IamportNotFoundError } from "../../iamport/errors.js";
import type { Payment } from "../../iamport/schemas.js";
import type { Logger } from "../../observability/logger.js";
import { holdsMoney } from "../../orders/rules/payment-facts.js";
import type { AttemptOutcome, ChargeAttempt } from "../charge-attempt.js";
import type { ChargeDeps } from "../deps.js";
import type { ChargeMessage } from "../ports.js";
import {
  claimLapsed,
  isTerminal,
  MAX_SENDS,
  markLookedUp,
  markResent,
  markUnknown,
  newClaim,
  outcomeFromPayment,
} from "../rules/charge-attempt-machine.js";
import {
  classifyDecline,
  isAlreadyPaid,
  isMissingBillingKey,
  pgDeclineReason,
} from "../rules/classify-decline.js";
import { chargeMerchantUid } from "../rules/merchant-uid.js";
import { whyNotCharge } from "../rules/subscription-machine.js";
import {
  applyToSubscription,
  carryOutChargeRefund,
  earlierAttemptsToCheck,
  handleLatePayment,
  settleCharge,
} from "../settlement/index.js";
import type { Subscription } from "../subscription.js";

/** `retry`: leave the message for SQS to deliver again (the outcome is not known yet, or someone else is on it). */
export interface ChargeResult {
  result: "done" | "retry";
  detail: string;
}

const done = (detail: string): ChargeResult => ({ result: "done", detail });
const retry = (detail: string): ChargeResult => ({ result: "retry", detail });

/**
 * Charges (or finishes) the cycle attempt named by `message`, at most once.
 * `retry` means: leave the message for SQS to deliver again.
 */
export async function chargeCycle(deps: ChargeDeps, message: ChargeMessage): Promise<ChargeResult> {
  const log = deps.logger.child({
    subscription_id: message.subscriptionId,
    cycle: message.cycle,
    attempt: message.attempt,
  });
  for (let round = 0; round < 3; round++) {
    // Both in one round trip: a fresh charge then costs this read, the claim and the settle.
    const { subscription: sub, attempt: existing } = await deps.subscriptions.getForCharge(
      message.subscriptionId,
      message.cycle,
      message.attempt,
    );
    if (!sub) return done("no such subscription");
    if (existing) return continueAttempt(deps, sub, existing, log, { subscription: sub });
    const why = whyNotCharge(sub, message.cycle, message.attempt);
    if (why) return done(why);
    if (sub.attempt > 1) {
      const earlier = await findEarlierPayment(deps, sub, log);
      if (earlier === "applied") return done("an earlier attempt of this cycle was paid after all");
      if (earlier === "unreadable") return retry("iamport lookup of the cycle's earlier attempts failed");
      if (earlier === "changed") continue;
    }
    const claim = newClaim(
      {
        subscriptionId: sub.id,
        cycle: sub.cycle,
        attempt: sub.attempt,
        merchantUid: chargeMerchantUid(sub.id, sub.cycle, sub.attempt),
        customerUid: sub.customerUid,
        amount: sub.plan.amount,
        name: sub.plan.name,
      },
      deps.clock(),
      deps.settings.claimLeaseMs,
    );
    const claimed = await deps.subscriptions.claim(sub, claim);
    if (claimed.claimed) return send(deps, sub, claim, log);
    if (claimed.existing) return continueAttempt(deps, sub, claimed.existing, log);
    // The subscription changed between the read and the claim: decide again from the new version.
  }
  return retry("the subscription kept changing");
}

/**
 * Looks up each earlier attempt of the cycle the subscription waits on (at
 * most `sub.attempt - 1` lookups): a paid one is applied as the cycle's
 * payment (a second paid one, or one that fails verification, is refunded).
 */
async function findEarlierPayment(
  deps: ChargeDeps,
  sub: Subscription,
  log: Logger,
): Promise<"none" | "applied" | "unreadable" | "changed"> {
  const stored: Array<ChargeAttempt | null> = [];
  for (let n = 1; n < sub.attempt; n++)
    stored.push(await deps.subscriptions.getAttempt(sub.id, sub.cycle, n));
  let applied = false;
  for (const attempt of earlierAttemptsToCheck(stored)) {
    const attemptLog = log.child({ merchant_uid: attempt.merchantUid, source: "retry_lookup" });
    try {
      const payment = await findHeldPayment(deps, attempt.merchantUid);
      if (!payment) continue;
      const { result } = await handleLatePayment(deps, attempt, payment, "lookup", attemptLog);
      if (result === "applied") applied = true;
      else if (result === "conflict" && !applied) return "changed";
    } catch (error) {
      if (!(error instanceof IamportError)) throw error;
      attemptLog.warn("dependency unavailable: lookup of an earlier attempt failed; not sending", { error });
      // Once the cycle is paid nothing is sent anyway; a later paid webhook is refunded then.
      return applied ? "applied" : "unreadable";
    }
  }
  return applied ? "applied" : "none";
}

/**
 * An attempt exists: finish it (settled → make sure the subscription saw it; open → resolve).
 * `snapshot.subscription`: `sub` was read in one snapshot with `attempt`, so it need not be read again.
 */
async function continueAttempt(
  deps: ChargeDeps,
  sub: Subscription,
  attempt: ChargeAttempt,
  log: Logger,
  snapshot: { subscription?: Subscription } = {},
): Promise<ChargeResult> {
  if (isTerminal(attempt)) {
    if (attempt.recheck) {
      const rechecked = await recheckRefusal(deps, attempt, log);
      if (rechecked) return rechecked;
    }
    // A refund owed for this attempt's payment (surplus, rejected) not done yet: carry it on.
    if (attempt.impUid) await carryOutChargeRefund(deps, attempt, attempt.impUid, log);
    await applyToSubscription(deps, attempt, log, snapshot);
    return done(`attempt already ${attempt.status}`);
  }
  const now = deps.clock();
  if (attempt.status === "claimed" && !claimLapsed(attempt, now))
    return retry("another worker holds the claim");
  let open = attempt;
  if (attempt.status === "claimed") {
    open = markUnknown(attempt, "the claim lapsed without an outcome", now, deps.settings.lookAgainMs);
    if (!(await deps.subscriptions.updateAttempt(attempt, open)).saved) return retry("the attempt changed");
  }
  return resolveOpen(deps, sub, open, log);
}

/**
 * The one look a refused attempt gets after the settle window: iamport's
 * record under its merchant_uid, paid or not. A paid one is applied to the
 * cycle or refunded (late-payment.ts); either way the re-check is then done.
 */
async function recheckRefusal(
  deps: ChargeDeps,
  attempt: ChargeAttempt,
  log: Logger,
): Promise<ChargeResult | null> {
  let payment: Payment | null;
  try {
    payment = await findHeldPayment(deps, attempt.merchantUid);
  } catch (error) {
    log.warn("dependency unavailable: re-check of a refused charge failed; trying again later", { error });
    return retry("iamport lookup of a refused charge failed");
  }
  if (payment) {
    const { result } = await handleLatePayment(deps, attempt, payment, "lookup", log);
    if (result === "conflict") return retry("the subscription kept changing");
  }
  const fresh = await deps.subscriptions.getAttempt(attempt.subscriptionId, attempt.cycle, attempt.attempt);
  const now = deps.clock();
  // The look that counts comes after the settle window (a charge behind a refusal may land late); an
  // earlier message (a duplicate) looks too but leaves the re-check on the index for its time.
  const windowOver = now.getTime() - Date.parse(attempt.updatedAt) >= deps.settings.settleMs;
  if (fresh?.recheck && windowOver) {
    await deps.subscriptions.updateAttempt(fresh, {
      ...fresh,
      recheck: undefined,
      checkAfter: undefined,
      lookups: fresh.lookups + 1,
      version: fresh.version + 1,
      updatedAt: now.toISOString(),
    });
  }
  return done(
    payment ? "a refused charge was found paid at iamport" : "refused charge re-checked: not charged",
  );
}

async function send(
  deps: ChargeDeps,
  sub: Subscription,
  attempt: ChargeAttempt,
  log: Logger,
): Promise<ChargeResult> {
  let payment: Payment;
  try {
    payment = await deps.iamport.chargeBillingKey({
      customerUid: attempt.customerUid,
      merchantUid: attempt.merchantUid,
      amount: attempt.amount,
      name: attempt.name,
      ...(sub.buyer.name ? { buyerName: sub.buyer.name } : {}),
      ...(sub.buyer.email ? { buyerEmail: sub.buyer.email } : {}),
      ...(sub.buyer.tel ? { buyerTel: sub.buyer.tel } : {}),
      ...(deps.settings.noticeUrl ? { noticeUrl: deps.settings.noticeUrl } : {}),
      customData: JSON.stringify({ subscription_id: sub.id, cycle: attempt.cycle, attempt: attempt.attempt }),
    });
  } catch (error) {
    if (error instanceof IamportApiError && !isAlreadyPaid(error.iamportMessage)) {
      await settleCharge(deps, attempt, refusalOutcome(error), "response", log, { subscription: sub });
      return done(`iamport refused the request: ${error.message}`);
    }
    if (!(error instanceof IamportError)) throw error; // the claim's lease covers a crash here
    // Timeout, 5xx, lost answer, or "already paid": the money may have moved. Look before anything else.
    log.warn("charge outcome unknown; looking it up", { merchant_uid: attempt.merchantUid, error });
    const unknown = markUnknown(attempt, error.message, deps.clock(), deps.settings.lookAgainMs);
    if (!(await deps.subscriptions.updateAttempt(attempt, unknown)).saved)
      return retry("the attempt changed");
    return resolveOpen(deps, sub, unknown, log);
  }
  const outcome = outcomeFromPayment(attempt, payment, deps.verify);
  if (!outcome) {
    const unknown = markUnknown(
      attempt,
      `iamport answered with status ${payment.status}`,
      deps.clock(),
      deps.settings.lookAgainMs,
    );
    await deps.subscriptions.updateAttempt(attempt, unknown);
    return retry(`iamport answered with status ${payment.status}`);
  }
  // The subscription this message read and claimed on: the settle's write is conditional on its version.
  await settleCharge(deps, attempt, outcome, "response", log, { subscription: sub });
  return done(`charge ${outcome.kind}`);
}

/**
 * The payment under `merchantUid` that holds money: the paid one, else a partly cancelled one,
 * whose status may read `cancelled` (undocumented), so `/find/{merchant_uid}/paid` alone misses it.
 */
async function findHeldPayment(deps: ChargeDeps, merchantUid: string): Promise<Payment | null> {
  const paid = await deps.iamport.findPayment(merchantUid, { status: "paid" });
  if (paid) return paid;
  const cancelled = await deps.iamport.findPayment(merchantUid, { status: "cancelled" });
  return cancelled && holdsMoney(cancelled) ? cancelled : null;
}

/**
 * iamport refused the request: nothing was charged (a later re-check makes sure). Not a decline,
 * except a key that is gone (code 1 "등록되지 않은 구매자입니다." or, undocumented, a 404) and a
 * refusal that carries the PG's decline reason (a decline answered with a non-zero code).
 */
function refusalOutcome(error: IamportApiError): AttemptOutcome {
  if (error instanceof IamportNotFoundError || isMissingBillingKey(error.iamportMessage))
    return { kind: "declined", severity: "hard", reason: "billing key not found at iamport" };
  const pgReason = pgDeclineReason(error.iamportMessage);
  if (pgReason)
    return { kind: "declined", severity: classifyDecline(pgReason), reason: pgReason, refused: true };
  return { kind: "error", reason: error.message, code: error.code };
}

/** Resolves a claimed-and-lapsed or unknown attempt from iamport's records. */
async function resolveOpen(
  deps: ChargeDeps,
  sub: Subscription,
  attempt: ChargeAttempt,
  log: Logger,
): Promise<ChargeResult> {
  let found: Payment | null;
  try {
    found =
      (await findHeldPayment(deps, attempt.merchantUid)) ??
      (await deps.iamport.findPayment(attempt.merchantUid));
  } catch (error) {
    log.warn("dependency unavailable: lookup of an unknown charge failed; trying again later", { error });
    return retry("iamport lookup failed");
  }
  const outcome = found ? outcomeFromPayment(attempt, found, deps.verify) : null;
  if (outcome) {
    await settleCharge(deps, attempt, outcome, "lookup", log);
    return done(`looked up: ${outcome.kind}`);
  }
  const now = deps.clock();
  const sinceSend = now.getTime() - Date.parse(attempt.lastSentAt);
  const settled = sinceSend >= deps.settings.settleMs;
  if (!settled) {
    const next = markLookedUp(attempt, now, deps.settings.settleMs - sinceSend);
    await deps.subscriptions.updateAttempt(attempt, next);
    return retry("no record at iamport yet; too early to conclude");
  }
  const why = whyNotCharge(sub, attempt.cycle, attempt.attempt);
  if (why) {
    await settleCharge(
      deps,
      attempt,
      { kind: "error", reason: `not charged; not sent again: ${why}` },
      "lookup",
      log,
    );
    return done("abandoned: the subscription no longer wants this charge");
  }
  if (attempt.sends < MAX_SENDS) {
    const resent = markResent(attempt, now, deps.settings.claimLeaseMs);
    if (!(await deps.subscriptions.updateAttempt(attempt, resent)).saved) return retry("the attempt changed");
    log.info("no record at iamport after the send; sending again under the same merchant_uid", {
      merchant_uid: attempt.merchantUid,
    });
    return send(deps, sub, resent, log);
  }
  if (now.getTime() - Date.parse(attempt.unknownSince ?? attempt.claimedAt) >= deps.settings.giveUpMs) {
    log.error("ALERT charge outcome still unknown; treating it as not charged", {
      alert: "charge_outcome_unknown",
      merchant_uid: attempt.merchantUid,
    });
    await settleCharge(
      deps,
      attempt,
      { kind: "error", reason: "no record at iamport after every send" },
      "lookup",
      log,
    );
    return done("gave up: iamport has no record");
  }
  // Both sends left no record: the resolver index (dispatcher) brings it back for slow lookups.
  await deps.subscriptions.updateAttempt(attempt, markLookedUp(attempt, now, deps.settings.lookAgainMs));
  return done("no record at iamport after every send; the resolver looks again later");
}
