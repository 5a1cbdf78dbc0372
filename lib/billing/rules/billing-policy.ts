/**
 * The dunning policy, from configuration: when a failed cycle is retried and
 * what happens when retries run out.
 */

export interface BillingPolicy {
  /**
   * Soft-decline retries, in days after the cycle's first failure (e.g. 1, 3, 5:
   * four attempts over five days). Strictly increasing.
   */
  retryDays: readonly number[];
  /** What a subscription becomes when retries (or the wait for a new card) run out. */
  exhaustedAction: "unpaid" | "cancel";
  /** Wait before retrying after iamport refused the request itself (non-zero code). */
  errorRetryMinutes: number;
  /** Refusals of one cycle before it waits for a person or a new card. */
  maxRequestErrors: number;
  /** Days before a trial's end its notice is due (BILLING_TRIAL_NOTICE_DAYS; 3 when not given). */
  trialNoticeDays?: number;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** How long a past_due subscription is dunned before it ends: the last retry day. */
export function dunningWindowMs(policy: BillingPolicy): number {
  return (policy.retryDays.at(-1) ?? 0) * DAY_MS;
}
