/**
 * Names of subscriptions and of their charges at iamport.
 *
 * A charge's merchant_uid is derived from (subscription, cycle, attempt) alone:
 * a retried worker, a duplicate SQS message and the webhook all name the same
 * payment, so it can be looked up before anything is sent again (invariant 3),
 * and iamport itself refuses a second payment under a paid merchant_uid. The
 * parts have fixed bounds, so the result is always well under iamport's 40
 * characters and never needs truncating (a truncated id could collide).
 */
import { createHash } from "node:crypto";
import { MAX_CYCLE } from "./calendar.js";

/** Every subscription id, and so every charge merchant_uid, starts with this; orders may not. */
export const SUBSCRIPTION_PREFIX = "sub_";
/** Attempts per cycle (first try, soft retries, refusals, new cards); bounds the merchant_uid. */
export const MAX_ATTEMPT = 99;
/** iamport's limit. */
export const MAX_MERCHANT_UID_LENGTH = 40;

const ID_BODY_LENGTH = 16;
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ID_PATTERN = /^sub_[0-9A-Za-z]{16}$/;
const CHARGE_PATTERN = /^(sub_[0-9A-Za-z]{16})_([1-9][0-9]{0,3})_([1-9][0-9]?)$/;

/**
 * The subscription id for a create request's Idempotency-Key: a retry of the
 * request names the same subscription. 16 base62 characters of SHA-256 (95 bits).
 */
export function subscriptionIdFor(idempotencyKey: string): string {
  const digest = createHash("sha256").update(`subscription:${idempotencyKey}`).digest();
  let body = "";
  // 256 is not a multiple of 62; the resulting bias is a few percent per character, harmless for an id.
  for (let i = 0; i < ID_BODY_LENGTH; i++) body += ALPHABET[(digest[i] ?? 0) % ALPHABET.length];
  return `${SUBSCRIPTION_PREFIX}${body}`;
}

/** Whether `value` is an id this service gives subscriptions (`sub_` + 16 base62). */
export function isSubscriptionId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/**
 * `sub_<16>_<cycle>_<attempt>`: at most 4 + 16 + 1 + 4 + 1 + 2 = 28 characters.
 * @throws RangeError for an id this service did not make or a cycle/attempt out of bounds
 */
export function chargeMerchantUid(subscriptionId: string, cycle: number, attempt: number): string {
  if (!isSubscriptionId(subscriptionId)) throw new RangeError(`not a subscription id: ${subscriptionId}`);
  if (!Number.isInteger(cycle) || cycle < 1 || cycle > MAX_CYCLE) {
    throw new RangeError(`cycle must be an integer from 1 to ${MAX_CYCLE}`);
  }
  if (!Number.isInteger(attempt) || attempt < 1 || attempt > MAX_ATTEMPT) {
    throw new RangeError(`attempt must be an integer from 1 to ${MAX_ATTEMPT}`);
  }
  const uid = `${subscriptionId}_${cycle}_${attempt}`;
  if (uid.length > MAX_MERCHANT_UID_LENGTH) throw new RangeError(`merchant_uid too long: ${uid}`);
  return uid;
}

/** The parts of a charge merchant_uid, or null when it is not one (an order's, say). */
export function parseChargeMerchantUid(
  merchantUid: string,
): { subscriptionId: string; cycle: number; attempt: number } | null {
  const match = CHARGE_PATTERN.exec(merchantUid);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  return { subscriptionId: match[1], cycle: Number(match[2]), attempt: Number(match[3]) };
}

/** Whether a merchant_uid names a subscription charge (so its webhook goes to billing, not orders). */
export function isSubscriptionChargeUid(merchantUid: string): boolean {
  return parseChargeMerchantUid(merchantUid) !== null;
}
