/**
 * Response shapes of the billing routes, next to their request shapes
 * (api-schemas.ts). subscription-views.ts is typed by them and the OpenAPI
 * document is generated from them.
 */
import { owedRefundBodySchema } from "../orders/api-responses.js";
import * as z from "../validation/zod.js";
import { ATTEMPT_STATUSES } from "./charge-attempt.js";
import { SUBSCRIPTION_STATUSES } from "./subscription.js";

const isoTime = z.string().register(z.globalRegistry, { format: "date-time" });
const subscriptionStatus = z.enum(SUBSCRIPTION_STATUSES);
const planPrice = z.object({ name: z.string(), amount: z.number() });

/** `POST /billing-keys` (201): the params of KICC's billing-key window. */
export const billingKeyResponseSchema = z.object({
  customer_uid: z.string(),
  request_pay: z.object({
    pg: z.string(),
    pay_method: z.literal("card"),
    merchant_uid: z.string(),
    name: z.string(),
    amount: z.number(),
    currency: z.literal("KRW"),
    customer_uid: z.string(),
    customer_id: z.optional(z.string()),
    buyer_name: z.optional(z.string()),
    buyer_email: z.optional(z.string()),
    buyer_tel: z.string(),
    buyer_addr: z.optional(z.string()),
    buyer_postcode: z.optional(z.string()),
    m_redirect_url: z.string(),
  }),
});
export type BillingKeyResponse = z.infer<typeof billingKeyResponseSchema>;

const attemptSchema = z.object({
  attempt: z.number(),
  merchant_uid: z.string(),
  customer_uid: z.string(),
  amount: z.number(),
  status: z.enum(ATTEMPT_STATUSES),
  decline: z.nullable(z.enum(["soft", "hard"])),
  reason: z.nullable(z.string()),
  error_code: z.nullable(z.number()),
  imp_uid: z.nullable(z.string()),
  paid_at: z.nullable(isoTime),
  /** A rejected charge's automatic refund, or the state of the refund owed for its payment. */
  refund: z.nullable(z.enum(["done", "failed", "pending", "needs_account", "needs_person"])),
  resolved_by: z.nullable(z.enum(["response", "lookup", "webhook"])),
  /** What iamport cancelled of this kept charge (a refund made in its console); the cycle stays paid. */
  refunded_amount: z.number(),
  refunded_at: z.nullable(isoTime),
  sends: z.number(),
  lookups: z.number(),
  claimed_at: isoTime,
  unknown_since: z.nullable(isoTime),
  updated_at: isoTime,
});

/** `GET /subscriptions/{id}` and every route that changes a subscription. */
export const subscriptionBodySchema = z.object({
  id: z.string(),
  status: subscriptionStatus,
  customer_uid: z.string(),
  plan: z.object({
    name: z.string(),
    amount: z.number(),
    interval: z.enum(["day", "week", "month", "year"]),
    /** Every N intervals (every 2 weeks: week, 2). */
    interval_count: z.optional(z.number()),
  }),
  /** A plan change waiting for its cycle (POST /subscriptions/{id}/plan with effective next_cycle). */
  pending_plan: z.optional(
    z.nullable(z.object({ name: z.string(), amount: z.number(), from_cycle: z.number() })),
  ),
  currency: z.literal("KRW"),
  billing: z.object({
    time_zone: z.literal("Asia/Seoul"),
    interval: z.enum(["day", "week", "month", "year"]),
    interval_count: z.optional(z.number()),
    anchor_day: z.number(),
    /** Yearly plans only: the month every cycle falls in (1-12). */
    anchor_month: z.optional(z.number()),
    /** HH:MM, Asia/Seoul. */
    charge_time: z.string(),
  }),
  current_cycle: z.number(),
  next_attempt: z.number(),
  next_charge_at: z.nullable(isoTime),
  paid_through: z.nullable(isoTime),
  paid_cycles: z.number(),
  skipped_cycles: z.number(),
  cancel_at_period_end: z.boolean(),
  canceled_at: z.nullable(isoTime),
  cancel_reason: z.nullable(z.string()),
  paused_at: z.nullable(isoTime),
  /** A free trial (POST /subscriptions with trial_days): cycle 1 is charged at ends_at. */
  trial: z.optional(
    z.nullable(
      z.object({ days: z.number(), ends_at: isoTime, notice_at: isoTime, noticed_at: z.nullable(isoTime) }),
    ),
  ),
  dunning: z.nullable(
    z.object({
      cycle: z.number(),
      since: isoTime,
      soft_declines: z.number(),
      request_errors: z.number(),
      waiting_for_card: z.boolean(),
      last_reason: z.string(),
      ends_at: isoTime,
    }),
  ),
  last_charge: z.nullable(
    z.object({
      cycle: z.number(),
      attempt: z.number(),
      merchant_uid: z.string(),
      status: z.enum(["paid", "declined", "error", "rejected"]),
      imp_uid: z.nullable(z.string()),
      reason: z.nullable(z.string()),
      at: isoTime,
    }),
  ),
  buyer: z.object({
    name: z.optional(z.string()),
    email: z.optional(z.string()),
    tel: z.optional(z.string()),
    addr: z.optional(z.string()),
    postcode: z.optional(z.string()),
  }),
  /** Filled by `GET /subscriptions/{id}`; the routes that change a subscription list only the cycle it waits on. */
  cycles: z.array(
    z.object({
      cycle: z.number(),
      period_start: isoTime,
      period_end: isoTime,
      status: z.enum(["paid", "charging", "unpaid", "failed", "scheduled"]),
      imp_uid: z.nullable(z.string()),
      attempts: z.array(attemptSchema),
    }),
  ),
  refunds_owed: z.array(owedRefundBodySchema),
  history: z.array(
    z.object({
      at: isoTime,
      from: z.nullable(subscriptionStatus),
      to: subscriptionStatus,
      source: z.enum(["api", "charge", "webhook", "dispatcher"]),
      reason: z.string(),
      cycle: z.nullable(z.number()),
      attempt: z.nullable(z.number()),
      /** On a plan change only. */
      plan_change: z.optional(
        z.object({
          from: planPrice,
          to: planPrice,
          effective: z.enum(["now", "next_cycle"]),
          from_cycle: z.number(),
        }),
      ),
    }),
  ),
  created_at: isoTime,
  updated_at: isoTime,
});
export type SubscriptionBody = z.infer<typeof subscriptionBodySchema>;

/** `POST /subscriptions/{id}/card` (200): the subscription and what the switch did. */
export const switchCardResponseSchema = z.extend(subscriptionBodySchema, {
  card_switch: z.object({
    changed: z.boolean(),
    retry_queued: z.boolean(),
    old_card: z.nullable(
      z.object({ customer_uid: z.string(), key: z.enum(["deleted", "in_use", "delete_failed", "none"]) }),
    ),
  }),
});
export type SwitchCardResponse = z.infer<typeof switchCardResponseSchema>;
