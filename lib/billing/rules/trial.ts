/**
 * Free trials (pure): the card is verified when the subscription is created,
 * cycle 1 is charged when the trial ends, and the dispatcher records a
 * trial-ending notice the configured days before. The trial's end is the
 * plan's anchor, so every cycle after it falls on the same KST calendar.
 */
import { DAY_MS } from "./billing-policy.js";

/** Days before a trial's end its notice is due, unless BILLING_TRIAL_NOTICE_DAYS says otherwise. */
export const DEFAULT_TRIAL_NOTICE_DAYS = 3;

/**
 * The trial that ends when cycle 1 is due (`endsAt`, on the anchor's minute) and when its notice is due:
 * `noticeDays` before the end, never before `now`.
 */
export function trialFor(now: Date, endsAt: Date, noticeDays: number): { endsAt: string; noticeAt: string } {
  return {
    endsAt: endsAt.toISOString(),
    noticeAt: new Date(Math.max(now.getTime(), endsAt.getTime() - noticeDays * DAY_MS)).toISOString(),
  };
}
