/**
 * The domain events catalogue (docs/events.json): the envelope, and for every
 * event type what it means, its body's JSON Schema (from its zod schema in
 * lib/events/event-schemas.ts) and an example. `npm run events` writes it; a
 * test keeps it current and checks every example against its schema.
 */
import { toJSONSchema } from "zod/mini";
import type { $ZodType } from "zod/v4/core";
import { AGGREGATE_TYPES, eventId } from "../lib/events/domain-event.js";
import { EVENT_TYPES, type EventData, type EventType, eventSchemas } from "../lib/events/event-schemas.js";

/** When each event is published. */
const DESCRIPTIONS: Record<EventType, string> = {
  "order.paid":
    "The order's payment was verified against iamport: paid in full, at the order's amount (fulfil it)",
  "order.failed": "The payment failed or was abandoned in the window",
  "order.expired": "A virtual account's deadline passed without a deposit, or a pending order was never paid",
  "order.forged":
    "A payment's amount or currency did not match the order: never fulfil it; it is refunded in full",
  "order.refunded": "The order is refunded in full (the last refund brought the balance to 0)",
  "order.partially_refunded": "A refund of part of the order; the rest is still paid",
  "order.refund_needs_account":
    "A deposited virtual account of a forged order must be refunded and the buyer's bank account is needed",
  "order.forgery_refunded": "The forged payment was refunded in full",
  "vbank.issued": "A virtual account was issued: the buyer has until due_at to deposit",
  "vbank.deposited": "The buyer deposited into the virtual account (order.paid follows in the same change)",
  "subscription.created": "A subscription was created (its first charge, unless it has a trial, follows)",
  "subscription.charged": "A cycle was charged and paid",
  "subscription.charge_failed":
    "A charge attempt was declined or refused; it is retried by the dunning rules",
  "subscription.charge_refunded":
    "A kept charge was refunded at iamport (its console), in part or in full; the cycle stays paid, what the refund means for the service is the merchant's call",
  "subscription.past_due": "The subscription's cycle is unpaid and being retried",
  "subscription.unpaid": "Dunning ran out: nothing is charged until a new card or a person",
  "subscription.paused": "Charging stopped until resumed",
  "subscription.resumed": "Charging goes on after a pause",
  "subscription.canceled": "The subscription ended (now, at its period's end, or when dunning ran out)",
  "subscription.cancel_scheduled": "The subscription will end when its paid period ends (cancels_at)",
  "subscription.card_updated": "The subscription charges another billing key (customer_uid) from now on",
  "subscription.plan_changed":
    "The plan's name or amount changed, now or from a later cycle (from_cycle); never prorated",
  "subscription.trial_ending":
    "The trial ends at trial_ends_at (BILLING_TRIAL_NOTICE_DAYS before it); the first charge is then",
  "refund_owed.decided":
    "Money iamport holds under one of our merchant_uids is owed back in full (forged, second payment, surplus or rejected charge, orphan); it is refunded by itself unless a person is needed",
  "refund_owed.needs_account":
    "A deposited virtual account must be refunded: the buyer's bank account is needed (POST /orders/{merchant_uid}/refunds with imp_uid and the missing fields)",
  "refund_owed.needs_person":
    "iamport refused the refund itself: a person must refund it (iamport is re-read daily and refund_owed.refunded follows)",
  "refund_owed.refunded": "The money owed is back: iamport's record shows nothing left to refund",
};

const order = {
  merchant_uid: "order-20261201-0001",
  status: "paid" as const,
  amount: 12_000,
  pay_method: "card" as const,
  imp_uid: "imp_123456789012",
  source: "webhook",
  reason: "paid in full",
};
const sub = {
  subscription_id: "sub_0123456789abcdef",
  status: "active" as const,
  customer_uid: "cu_0123456789abcdef",
  cycle: 2,
  next_charge_at: "2027-01-01T01:00:00.000Z",
  source: "charge",
  reason: "cycle 1 paid",
};
const charge = {
  cycle: 1,
  attempt: 1,
  merchant_uid: "sub_0123456789abcdef_1_1",
  status: "paid" as const,
  amount: 9_900,
  imp_uid: "imp_223456789012",
};
const refund = { refund_amount: 2_000, refunded_amount: 2_000, cancellation_ids: ["c_1"] };
const owed = {
  imp_uid: "imp_323456789012",
  merchant_uid: "order-20261201-0001",
  owner: { type: "order" as const, id: "order-20261201-0001" },
  amount: 12_000,
  reason: "second_payment" as const,
  state: "pending" as const,
  detail: "a second payment for order-20261201-0001, which kept imp_123456789012",
  pay_method: "vbank",
};

const EXAMPLES: { [T in EventType]: EventData<T> } = {
  "order.paid": { ...order, paid_at: "2026-12-01T03:00:00.000Z", escrow: false },
  "order.failed": { ...order, status: "failed", reason: "the buyer closed the window" },
  "order.expired": { ...order, status: "expired", pay_method: "vbank", reason: "deposit deadline passed" },
  "order.forged": { ...order, status: "forged", paid_amount: 100, expected_amount: 12_000 },
  "order.refunded": {
    ...order,
    status: "refunded",
    ...refund,
    refund_amount: 10_000,
    refunded_amount: 12_000,
    remaining_amount: 0,
  },
  "order.partially_refunded": { ...order, status: "partially_refunded", ...refund, remaining_amount: 10_000 },
  "order.refund_needs_account": { ...order, status: "forged", pay_method: "vbank", paid_amount: 100 },
  "order.forgery_refunded": { ...order, status: "forged", refunded_amount: 100 },
  "vbank.issued": {
    ...order,
    status: "awaiting_deposit",
    pay_method: "vbank",
    bank_name: "KB국민은행",
    bank_code: "004",
    account_number: "12345678901234",
    holder: "(주)상점",
    due_at: "2026-12-04T14:59:59.000Z",
  },
  "vbank.deposited": { ...order, pay_method: "vbank", paid_at: "2026-12-02T05:00:00.000Z" },
  "subscription.created": {
    ...sub,
    cycle: 1,
    source: "api",
    reason: "created",
    plan: { name: "Pro", amount: 9_900, interval: "month", interval_count: 1 },
  },
  "subscription.charged": { ...sub, charge, paid_through: "2027-01-01T01:00:00.000Z" },
  "subscription.charge_failed": {
    ...sub,
    status: "past_due",
    cycle: 1,
    charge: { ...charge, status: "declined", reason: "[8326] 잔액부족" },
  },
  "subscription.charge_refunded": {
    ...sub,
    source: "webhook",
    reason: "cycle 1's charge refunded at iamport",
    charge: {
      cycle: 1,
      attempt: 1,
      merchant_uid: charge.merchant_uid,
      imp_uid: charge.imp_uid,
      amount: 9_900,
    },
    refund_amount: 3_000,
    refunded_amount: 3_000,
    remaining_amount: 6_900,
  },
  "subscription.past_due": {
    ...sub,
    status: "past_due",
    cycle: 1,
    dunning_ends_at: "2026-12-07T01:00:00.000Z",
  },
  "subscription.unpaid": { ...sub, status: "unpaid", next_charge_at: null, source: "dispatcher" },
  "subscription.paused": { ...sub, status: "paused", next_charge_at: null, source: "api", reason: "paused" },
  "subscription.resumed": { ...sub, source: "api", reason: "resumed" },
  "subscription.canceled": {
    ...sub,
    status: "canceled",
    next_charge_at: null,
    source: "api",
    reason: "canceled now",
    canceled_at: "2026-12-10T00:00:00.000Z",
  },
  "subscription.cancel_scheduled": { ...sub, source: "api", cancels_at: "2027-01-01T01:00:00.000Z" },
  "subscription.card_updated": { ...sub, source: "api", previous_customer_uid: "cu_fedcba9876543210" },
  "subscription.plan_changed": {
    ...sub,
    source: "api",
    reason: "plan change from cycle 3",
    from: { name: "Pro", amount: 9_900 },
    to: { name: "Max", amount: 19_900 },
    effective: "next_cycle",
    from_cycle: 3,
  },
  "subscription.trial_ending": {
    ...sub,
    cycle: 1,
    source: "dispatcher",
    trial_ends_at: "2026-12-15T01:00:00.000Z",
    plan: { name: "Pro", amount: 9_900 },
  },
  "refund_owed.decided": owed,
  "refund_owed.needs_account": {
    ...owed,
    state: "needs_account",
    missing: ["refund_holder", "refund_bank", "refund_account"],
    what_to_do:
      "a deposited virtual account is refunded to the buyer's bank account: POST /orders/order-20261201-0001/refunds with imp_uid imp_323456789012, refund_holder, refund_bank and refund_account",
  },
  "refund_owed.needs_person": {
    ...owed,
    pay_method: "card",
    state: "needs_person",
    last_error: "취소할 결제건이 존재하지 않습니다.",
  },
  "refund_owed.refunded": { ...owed, state: "done", refunded_amount: 12_000, tries: 1 },
};

function jsonSchema(schema: $ZodType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = toJSONSchema(schema, {
    io: "output",
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return rest;
}

/** The catalogue as docs/events.json holds it. */
export function buildEventsCatalogue(): Record<string, unknown> {
  const events = Object.fromEntries(
    EVENT_TYPES.map((type) => {
      const kind = type.startsWith("subscription.")
        ? ("subscription" as const)
        : type.startsWith("refund_owed.")
          ? ("refund_owed" as const)
          : ("order" as const);
      const ids = { subscription: sub.subscription_id, refund_owed: owed.imp_uid, order: order.merchant_uid };
      const aggregate = { type: kind, id: ids[kind], version: 3 };
      return [
        type,
        {
          description: DESCRIPTIONS[type],
          data: jsonSchema(eventSchemas[type] as unknown as $ZodType),
          example: {
            id: eventId(aggregate, type),
            type,
            time: "2026-12-01T03:00:00.000Z",
            aggregate,
            data: EXAMPLES[type],
          },
        },
      ];
    }),
  );
  return {
    title: "kicc-iamport domain events",
    description:
      "Put on the stage's EventBridge bus (kicc-payments-<stage>-events) with Source kicc-iamport.<stage>, " +
      "DetailType the event type and Detail the envelope. Delivered at least once: dedupe by id. See docs/events.md.",
    envelope: {
      type: "object",
      required: ["id", "type", "time", "aggregate", "data"],
      properties: {
        id: {
          type: "string",
          pattern: "^evt_[0-9a-f]{24}$",
          description: "Stable per change and type: the same event delivered again has the same id",
        },
        type: { type: "string", enum: EVENT_TYPES },
        time: { type: "string", format: "date-time", description: "When the change happened" },
        aggregate: {
          type: "object",
          required: ["type", "id", "version"],
          properties: {
            type: { type: "string", enum: [...AGGREGATE_TYPES] },
            id: {
              type: "string",
              description:
                "The merchant_uid of an order, the id of a subscription, the imp_uid of a refund owed",
            },
            version: {
              type: "integer",
              minimum: 1,
              description: "The aggregate's version the change made: order by it",
            },
          },
        },
        data: { type: "object", description: "The type's body: events[type].data" },
      },
    },
    events,
  };
}

/** The examples, for the test that checks each against its schema. */
export const eventExamples = EXAMPLES;
