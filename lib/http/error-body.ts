/**
 * The JSON body of every refusal and failure this API answers (lib/http/error-response.ts
 * builds it): a stable `error` code, a `message` for people, and, for bad input, each
 * field with the reason. Exported so the OpenAPI document describes errors from the
 * same schema the error mapping is typed by.
 */
import * as z from "../validation/zod.js";

export const fieldIssueSchema = z.object({
  field: z.string().register(z.globalRegistry, {
    description: "The field, prefixed with where it was: `path.`, `query.`, `header.`, or none for the body",
  }),
  reason: z.string(),
});

export const errorBodySchema = z.object({
  error: z.string().register(z.globalRegistry, {
    description:
      "A stable code: invalid_request (400), unauthorized (401), not_found (404), method_not_allowed (405, with `Allow`), a conflict's own code " +
      "(409: merchant_uid_taken, prepared_amount_conflict, idempotency_key_reused, refund_in_progress, " +
      "order_not_refundable, balance_mismatch, refund_refused, phone_refund_month_passed, customer_uid_taken, " +
      "billing_key_deleting, invalid_state, subscription_busy), internal_error (500), not_configured (501), " +
      "iamport_refused (502), retry_later (503), source_not_allowed (403)",
  }),
  message: z.string(),
  /** 400 only: every field refused and why (at most 20, then one entry saying how many more). */
  issues: z.optional(z.array(fieldIssueSchema)),
  /** 501 only: the setting this deployment lacks. */
  setting: z.optional(z.string()),
  // 409 details, by code.
  /** order_not_refundable */
  status: z.optional(z.string()),
  /** order_not_refundable */
  refundable_amount: z.optional(z.number()),
  /** balance_mismatch, refund_in_progress */
  refundable_at_iamport: z.optional(z.nullable(z.number())),
  /** balance_mismatch */
  refundable_believed: z.optional(z.number()),
  /** refund_refused of a refund owed */
  imp_uid: z.optional(z.string()),
  /** refund_refused of a refund owed */
  refund_owed: z.optional(z.string()),
  /** phone_refund_month_passed (YYYY-MM, Asia/Seoul) */
  paid_month: z.optional(z.string()),
  /** phone_refund_month_passed (YYYY-MM, Asia/Seoul) */
  current_month: z.optional(z.string()),
});

/** What `errorResponse` sends. */
export type ErrorBody = z.infer<typeof errorBodySchema>;
