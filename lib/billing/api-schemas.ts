/**
 * Request shapes of the billing routes. Each refusal names the field and says
 * what to send instead; unknown fields are refused (a typo is never silently
 * dropped). Exported so the OpenAPI document uses the same schemas.
 */
import { integerMessages, typeMessages, unknownKeysMessage } from "../kicc/field-messages.js";
import * as z from "../validation/zod.js";
import { BILLING_INTERVALS } from "./rules/calendar.js";
import { isSubscriptionId } from "./rules/merchant-uid.js";

/** Plans charge at most this per cycle (KRW); a typo of three zeros is refused, not charged. */
export const MAX_PLAN_AMOUNT = 100_000_000;
// customer_uid goes into iamport URL paths and our keys (`#` is our separator): this set needs no escaping.
const CUSTOMER_UID_PATTERN = /^[A-Za-z0-9_.:-]+$/;
const TEL_PATTERN = /^[0-9]+(?:-[0-9]+)*$/;

const text = (field: string, min: number, max: number) =>
  z.string({ error: typeMessages(field, "a string") }).check(
    z.minLength(min, {
      error: min === 1 ? `${field} must not be empty` : `${field} must be at least ${min} characters`,
      abort: true,
    }),
    z.maxLength(max, { error: `${field} must be at most ${max} characters`, abort: true }),
  );

const customerUid = (field: string) =>
  text(field, 1, 80).check(
    z.regex(CUSTOMER_UID_PATTERN, `${field} may contain only letters, digits and - _ . :`),
  );

const buyerFields = {
  buyer_name: z.optional(text("buyer_name", 1, 40)),
  buyer_email: z.optional(
    z.email({
      error: (issue) =>
        typeof issue.input === "string"
          ? "buyer_email must be an email address"
          : typeMessages("buyer_email", "a string")(issue),
    }),
  ),
  buyer_addr: z.optional(text("buyer_addr", 1, 128)),
  buyer_postcode: z.optional(text("buyer_postcode", 1, 8)),
};
const buyerTel = text("buyer_tel", 8, 20).check(
  z.regex(TEL_PATTERN, "buyer_tel must be digits, optionally grouped with dashes (010-1234-5678)"),
);

/** `POST /billing-keys`: the window that issues a KICC billing key (KICC charges nothing there). */
export const createBillingKeyBodySchema = z.strictObject(
  {
    customer_uid: z.optional(customerUid("customer_uid")),
    customer_id: z.optional(text("customer_id", 1, 80)),
    name: z.optional(text("name", 1, 40)),
    amount: z.optional(
      z.int({ error: integerMessages("amount") }).check(z.gte(0, "amount must not be negative")),
    ),
    ...buyerFields,
    buyer_tel: buyerTel,
    m_redirect_url: z.optional(
      z.url({
        protocol: /^https?$/,
        error: (issue) =>
          typeof issue.input === "string"
            ? "m_redirect_url must be an absolute http(s) URL"
            : typeMessages("m_redirect_url", "a string")(issue),
      }),
    ),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the request", "a JSON object")(issue) },
);
export type CreateBillingKeyBody = z.infer<typeof createBillingKeyBodySchema>;

const planSchema = z.strictObject(
  {
    name: text("plan.name", 1, 40).check(
      z.refine((name) => name.trim() !== "", "plan.name must not be blank"),
    ),
    amount: z
      .int({ error: integerMessages("plan.amount") })
      .check(
        z.positive("plan.amount must be greater than 0"),
        z.lte(MAX_PLAN_AMOUNT, `plan.amount must be at most ${MAX_PLAN_AMOUNT} KRW`),
      ),
    interval: z.enum(BILLING_INTERVALS, {
      error: (issue) =>
        issue.input === undefined
          ? "plan.interval is required"
          : `plan.interval must be "day", "week", "month" or "year", got ${JSON.stringify(issue.input)}`,
    }),
    /** Every N intervals (every 2 weeks: week, 2); at most 365 days, 52 weeks, 12 months or 3 years. */
    interval_count: z.optional(
      z
        .int({ error: integerMessages("plan.interval_count") })
        .check(z.gte(1, "plan.interval_count must be at least 1")),
    ),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("plan", "an object")(issue) },
);

/** `POST /subscriptions`. */
export const createSubscriptionBodySchema = z.strictObject(
  {
    customer_uid: customerUid("customer_uid"),
    plan: planSchema,
    anchor_day: z.optional(
      z
        .int({ error: integerMessages("anchor_day") })
        .check(z.gte(1, "anchor_day must be from 1 to 31"), z.lte(31, "anchor_day must be from 1 to 31")),
    ),
    trial_days: z.optional(
      z
        .int({ error: integerMessages("trial_days") })
        .check(z.gte(1, "trial_days must be from 1 to 365"), z.lte(365, "trial_days must be from 1 to 365")),
    ),
    start_at: z.optional(
      z.iso.datetime({
        offset: true,
        error: (issue) =>
          typeof issue.input === "string"
            ? "start_at must be an ISO 8601 date-time with a zone, e.g. 2026-12-01T10:00:00+09:00"
            : typeMessages("start_at", "a string")(issue),
      }),
    ),
    ...buyerFields,
    buyer_tel: z.optional(buyerTel),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the subscription", "a JSON object")(issue) },
);
export type CreateSubscriptionBody = z.infer<typeof createSubscriptionBodySchema>;

export const subscriptionIdPathSchema = z.object({
  id: z
    .string({ error: "must be a string" })
    .check(z.refine(isSubscriptionId, "must be a subscription id (sub_ and 16 letters or digits)")),
});

/** `POST /subscriptions/{id}/cancel`. */
export const cancelSubscriptionBodySchema = z.strictObject(
  {
    at: z.enum(["now", "period_end"], {
      error: (issue) =>
        issue.input === undefined
          ? 'at is required: "now" or "period_end"'
          : `at must be "now" or "period_end", got ${JSON.stringify(issue.input)}`,
    }),
    reason: z.optional(text("reason", 1, 200)),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the request", "a JSON object")(issue) },
);

/** `POST /subscriptions/{id}/pause` and `/resume`: no fields (an empty object or no body). */
export const emptyBodySchema = z.optional(
  z.strictObject(
    {},
    {
      error: (issue) =>
        unknownKeysMessage(issue) ?? typeMessages("the request", "a JSON object or no body")(issue),
    },
  ),
);

/** `POST /subscriptions/{id}/card`. */
export const switchCardBodySchema = z.strictObject(
  { customer_uid: customerUid("customer_uid") },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the request", "a JSON object")(issue) },
);

/** `POST /subscriptions/{id}/plan`: the new name and amount; the interval stays (a new calendar is a new subscription). */
export const changePlanBodySchema = z.strictObject(
  {
    name: text("name", 1, 40).check(z.refine((name) => name.trim() !== "", "name must not be blank")),
    amount: z
      .int({ error: integerMessages("amount") })
      .check(
        z.positive("amount must be greater than 0"),
        z.lte(MAX_PLAN_AMOUNT, `amount must be at most ${MAX_PLAN_AMOUNT} KRW`),
      ),
    effective: z.enum(["now", "next_cycle"], {
      error: (issue) =>
        issue.input === undefined
          ? 'effective is required: "next_cycle" or "now"'
          : `effective must be "next_cycle" or "now", got ${JSON.stringify(issue.input)}`,
    }),
  },
  { error: (issue) => unknownKeysMessage(issue) ?? typeMessages("the request", "a JSON object")(issue) },
);
export type ChangePlanBody = z.infer<typeof changePlanBodySchema>;

const idempotencyKeyHeader = (per: string) =>
  z.object({
    "idempotency-key": z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? `Idempotency-Key header is required (a unique value per ${per}, reused on retries)`
            : "Idempotency-Key must be a string",
      })
      .check(
        z.minLength(1, "Idempotency-Key must not be empty"),
        z.maxLength(128, "Idempotency-Key must be at most 128 characters"),
        z.regex(/^[\x21-\x7e]+$/, "Idempotency-Key must be printable ASCII without spaces"),
      ),
  });

/** `Idempotency-Key` of `POST /subscriptions`: required, so a retried request creates one subscription. */
export const subscriptionIdempotencySchema = idempotencyKeyHeader("subscription");

/** `Idempotency-Key` of `POST /subscriptions/{id}/plan`: required, so a late retry cannot undo a later change. */
export const planChangeIdempotencySchema = idempotencyKeyHeader("plan change");
