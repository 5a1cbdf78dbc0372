/**
 * Response shapes of the order and completion routes, next to their request
 * shapes (api-schemas.ts). The views (order-views.ts, refund-views.ts) are typed
 * by them and the OpenAPI document is generated from them, so a merchant's
 * generated client and what the handlers send cannot drift apart unnoticed.
 */
import { cardOptionsSchema } from "../kicc/card-options.js";
import { KICC_PAY_METHODS } from "../kicc/create-order-fields.js";
import { OWED_REFUND_REASONS } from "../ledger/owed-refund.js";
import * as z from "../validation/zod.js";
import { ORDER_STATUSES } from "./order.js";

const isoTime = z.string().register(z.globalRegistry, { format: "date-time" });
const orderStatus = z.enum(ORDER_STATUSES);
const kiccProduct = z.object({
  orderNumber: z.string(),
  name: z.string(),
  quantity: z.number(),
  amount: z.number(),
});

/** The exact params to hand to `IMP.request_pay` (iamport V1 JS SDK). */
export const requestPaySchema = z.object({
  pg: z.string(),
  pay_method: z.enum(KICC_PAY_METHODS),
  merchant_uid: z.string(),
  name: z.string(),
  amount: z.number(),
  tax_free: z.optional(z.number()),
  currency: z.literal("KRW"),
  buyer_name: z.optional(z.string()),
  buyer_email: z.optional(z.string()),
  buyer_tel: z.string(),
  buyer_addr: z.optional(z.string()),
  buyer_postcode: z.optional(z.string()),
  m_redirect_url: z.optional(z.string()),
  notice_url: z.optional(z.string()),
  escrow: z.optional(z.boolean()),
  kiccProducts: z.optional(z.array(kiccProduct)),
  card: z.optional(cardOptionsSchema),
  vbank_due: z.optional(z.string()),
  digital: z.optional(z.boolean()),
  custom_data: z.optional(z.record(z.string(), z.unknown())),
  customer_uid: z.optional(z.string()),
});

/** A refund this service owes and carries out by itself (a forged amount, a second payment…). */
export const owedRefundBodySchema = z.object({
  imp_uid: z.string(),
  merchant_uid: z.string(),
  reason: z.enum(OWED_REFUND_REASONS),
  detail: z.string(),
  amount: z.number(),
  pay_method: z.string(),
  state: z.enum(["pending", "needs_account", "needs_person", "done"]),
  refunded_amount: z.nullable(z.number()),
  what_to_do: z.nullable(z.string()),
  decided_at: isoTime,
  done_at: z.nullable(isoTime),
});
export type OwedRefundBody = z.infer<typeof owedRefundBodySchema>;

/** `GET /orders/{merchant_uid}`: the order as the merchant sees it, with its history. */
export const merchantOrderBodySchema = z.object({
  merchant_uid: z.string(),
  status: orderStatus,
  amount: z.number(),
  tax_free: z.number(),
  currency: z.literal("KRW"),
  name: z.string(),
  pay_method: z.enum(KICC_PAY_METHODS),
  buyer: z.object({
    name: z.optional(z.string()),
    email: z.optional(z.string()),
    tel: z.string(),
    addr: z.optional(z.string()),
    postcode: z.optional(z.string()),
  }),
  escrow: z.boolean(),
  kicc_products: z.nullable(z.array(kiccProduct)),
  imp_uid: z.nullable(z.string()),
  paid_at: z.nullable(isoTime),
  fail_reason: z.nullable(z.string()),
  vbank: z.nullable(
    z.object({
      bank_name: z.string(),
      bank_code: z.nullable(z.string()),
      number: z.string(),
      holder: z.string(),
      due_at: isoTime,
    }),
  ),
  refunded_amount: z.number(),
  refundable_amount: z.number(),
  refunds: z.array(
    z.object({ cancellation_id: z.string(), amount: z.number(), reason: z.string(), cancelled_at: isoTime }),
  ),
  forgery: z.nullable(
    z.object({
      imp_uid: z.string(),
      paid_amount: z.number(),
      expected_amount: z.number(),
      refund: z.enum(["none", "pending", "needs_account", "done"]),
      refunded_amount: z.number(),
    }),
  ),
  refunds_owed: z.array(owedRefundBodySchema),
  request_pay: requestPaySchema,
  created_at: isoTime,
  updated_at: isoTime,
  history: z.array(
    z.object({
      at: isoTime,
      from: z.nullable(orderStatus),
      to: orderStatus,
      source: z.enum(["callback", "redirect", "webhook", "reconciler", "sweep", "api"]),
      reason: z.string(),
      imp_uid: z.nullable(z.string()),
    }),
  ),
});
export type MerchantOrderBody = z.infer<typeof merchantOrderBodySchema>;

/** `POST /orders` (201, or 200 for the same request again). */
export const createOrderResponseSchema = z.object({
  merchant_uid: z.string(),
  status: orderStatus,
  request_pay: requestPaySchema,
  order: merchantOrderBodySchema,
});
export type CreateOrderResponse = z.infer<typeof createOrderResponseSchema>;

/** `GET /orders/{merchant_uid}/status` and `POST /payments/complete`: no personal data. */
export const publicStatusBodySchema = z.object({
  merchant_uid: z.string(),
  status: orderStatus,
  amount: z.number(),
  /** Only while awaiting_deposit: where the buyer pays in. */
  vbank: z.optional(
    z.object({ bank_name: z.string(), number: z.string(), holder: z.string(), due_at: isoTime }),
  ),
});
export type PublicStatusBody = z.infer<typeof publicStatusBodySchema>;

/** `POST /orders/{merchant_uid}/refunds` (201, or 200 when a retry replays it). */
export const refundResponseSchema = z.object({
  merchant_uid: z.string(),
  idempotency_key: z.string(),
  refund: z.object({
    cancellation_id: z.nullable(z.string()),
    amount: z.number(),
    tax_free: z.number(),
    reason: z.string(),
    cancelled_at: z.nullable(isoTime),
  }),
  order: z.object({
    status: orderStatus,
    amount: z.number(),
    refunded_amount: z.number(),
    refundable_amount: z.number(),
  }),
});
export type RefundResponse = z.infer<typeof refundResponseSchema>;

/** `POST /webhooks/iamport` (200): what the webhook did, for iamport's delivery log. */
export const webhookResponseSchema = z.object({
  kind: z.enum(["order", "subscription"]),
  outcome: z.enum([
    "applied",
    "unchanged",
    "rejected",
    "refunded",
    "unknown_order",
    "unknown_charge",
    "no_payment",
  ]),
  /** The order's or subscription's status after it; null for an unknown one. */
  status: z.nullable(z.string()),
});
export type WebhookResponse = z.infer<typeof webhookResponseSchema>;
