/**
 * The body (`data`) of every domain event type, one zod schema each: the
 * catalogue docs/events.json is generated from these (local/write-events.ts),
 * and the domain functions that build events are typed by them. Field names
 * follow the HTTP API (snake_case); amounts are KRW integers.
 */
import { SUBSCRIPTION_STATUSES } from "../billing/subscription.js";
import { KICC_PAY_METHODS } from "../kicc/create-order-fields.js";
import { OWED_REFUND_REASONS, OWED_REFUND_STATES } from "../ledger/owed-refund.js";
import { ORDER_STATUSES } from "../orders/order.js";
import * as z from "../validation/zod.js";

const krw = z.number().check(z.int(), z.gte(0));
const time = z.string().check(z.minLength(1));

/** What every order event says about the order. */
const order = {
  merchant_uid: z.string(),
  status: z.enum(ORDER_STATUSES),
  amount: krw,
  pay_method: z.enum(KICC_PAY_METHODS),
  imp_uid: z.optional(z.string()),
  /** Who or what made the change: callback, redirect, webhook, reconciler, sweep or api. */
  source: z.string(),
  reason: z.string(),
};

/** What every subscription event says about the subscription. */
const subscription = {
  subscription_id: z.string(),
  status: z.enum(SUBSCRIPTION_STATUSES),
  customer_uid: z.string(),
  cycle: z.number().check(z.int(), z.gte(1)),
  next_charge_at: z.nullable(time),
  /** api, charge, webhook or dispatcher. */
  source: z.string(),
  reason: z.string(),
};

const refund = z.object({
  ...order,
  /** This refund (the sum of the cancellations the change recorded). */
  refund_amount: krw,
  refunded_amount: krw,
  remaining_amount: krw,
  cancellation_ids: z.array(z.string()),
});

const charge = {
  ...subscription,
  charge: z.object({
    cycle: z.number().check(z.int(), z.gte(1)),
    attempt: z.number().check(z.int(), z.gte(1)),
    merchant_uid: z.string(),
    status: z.enum(["paid", "declined", "error", "rejected"]),
    amount: krw,
    imp_uid: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
};

const plan = z.object({ name: z.string(), amount: krw });

/** What every refund-owed event says about the refund (lib/ledger/owed-refund.ts). */
const owed = {
  imp_uid: z.string(),
  /** The merchant_uid the payment came under (an order's, or a subscription charge's). */
  merchant_uid: z.string(),
  /** The aggregate whose partition holds it: an order, or a subscription (a charge's payment). */
  owner: z.object({
    type: z.enum(["order", "subscription"]),
    id: z.string(),
    cycle: z.optional(z.number().check(z.int(), z.gte(1))),
    attempt: z.optional(z.number().check(z.int(), z.gte(1))),
  }),
  /** The balance owed back (what iamport held when last read). */
  amount: krw,
  reason: z.enum(OWED_REFUND_REASONS),
  state: z.enum(OWED_REFUND_STATES),
  /** Why, in words. */
  detail: z.string(),
  pay_method: z.string(),
};

/** Every event type and its body. */
export const eventSchemas = {
  "order.paid": z.object({ ...order, paid_at: z.optional(time), escrow: z.boolean() }),
  "order.failed": z.object(order),
  "order.expired": z.object(order),
  "order.forged": z.object({ ...order, paid_amount: krw, expected_amount: krw }),
  "order.refunded": refund,
  "order.partially_refunded": refund,
  "order.refund_needs_account": z.object({ ...order, paid_amount: krw }),
  "order.forgery_refunded": z.object({ ...order, refunded_amount: krw }),
  "vbank.issued": z.object({
    ...order,
    bank_name: z.string(),
    bank_code: z.optional(z.string()),
    account_number: z.string(),
    holder: z.string(),
    due_at: time,
  }),
  "vbank.deposited": z.object({ ...order, paid_at: z.optional(time) }),
  "subscription.created": z.object({
    ...subscription,
    plan: z.object({ name: z.string(), amount: krw, interval: z.string(), interval_count: z.number() }),
    trial_ends_at: z.optional(time),
  }),
  "subscription.charged": z.object({ ...charge, paid_through: z.nullable(time) }),
  "subscription.charge_failed": z.object(charge),
  /** A kept charge refunded at iamport (its console), in part or in full; the cycle stays paid. */
  "subscription.charge_refunded": z.object({
    ...subscription,
    charge: z.object({
      cycle: z.number().check(z.int(), z.gte(1)),
      attempt: z.number().check(z.int(), z.gte(1)),
      merchant_uid: z.string(),
      imp_uid: z.string(),
      amount: krw,
    }),
    /** This refund. */
    refund_amount: krw,
    refunded_amount: krw,
    remaining_amount: krw,
  }),
  "subscription.past_due": z.object({ ...subscription, dunning_ends_at: z.optional(time) }),
  "subscription.unpaid": z.object(subscription),
  "subscription.paused": z.object(subscription),
  "subscription.resumed": z.object(subscription),
  "subscription.canceled": z.object({ ...subscription, canceled_at: z.optional(time) }),
  "subscription.cancel_scheduled": z.object({ ...subscription, cancels_at: z.nullable(time) }),
  "subscription.card_updated": z.object({ ...subscription, previous_customer_uid: z.string() }),
  "subscription.plan_changed": z.object({
    ...subscription,
    from: plan,
    to: plan,
    effective: z.enum(["now", "next_cycle"]),
    from_cycle: z.number().check(z.int(), z.gte(1)),
  }),
  "subscription.trial_ending": z.object({ ...subscription, trial_ends_at: time, plan }),
  "refund_owed.decided": z.object(owed),
  "refund_owed.needs_account": z.object({
    ...owed,
    /** The refund request's fields iamport needs for a deposited virtual account. */
    missing: z.array(z.enum(["refund_holder", "refund_bank", "refund_account"])),
    what_to_do: z.string(),
  }),
  "refund_owed.needs_person": z.object({ ...owed, last_error: z.string() }),
  "refund_owed.refunded": z.object({ ...owed, refunded_amount: krw, tries: z.number().check(z.int()) }),
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

/** The event types, in catalogue order. */
export const EVENT_TYPES = Object.keys(eventSchemas) as EventType[];
