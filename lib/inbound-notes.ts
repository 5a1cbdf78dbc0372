/**
 * What a stored inbound notification keeps (invariant 5), the same for an
 * order's and a charge's: each field capped, and iamport's webhook status as
 * one bounded key word. Pure; orders and billing both store notes this way.
 */

/** Longest string kept of any field of a stored notification (a KICC `error_msg` is well under it). */
export const MAX_NOTE_FIELD_CHARS = 500;

/** The statuses iamport's webhook sends; anything else is stored under one word. */
export const WEBHOOK_STATUSES = new Set(["ready", "paid", "failed", "cancelled"]);

/** A webhook's `status` as a note's key word: one of iamport's, or `other`. */
export function webhookNoteStatus(claimed: unknown): string {
  return typeof claimed === "string" && WEBHOOK_STATUSES.has(claimed) ? claimed : "other";
}

/** Each string cut to {@link MAX_NOTE_FIELD_CHARS} (its length kept beside it); other values as they are. */
export function capFields(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).flatMap(([key, value]) =>
      typeof value === "string" && value.length > MAX_NOTE_FIELD_CHARS
        ? [
            [key, value.slice(0, MAX_NOTE_FIELD_CHARS)],
            [`${key}_length`, value.length],
          ]
        : [[key, value]],
    ),
  );
}
