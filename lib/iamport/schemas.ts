/**
 * Schemas for iamport V1 responses, written from the field list of the official V1
 * OpenAPI document (PaymentAnnotation, CustomerAnnotation, AuthAnnotation, ...).
 *
 * Rules, because iamport's real responses are looser than the spec:
 * - only the spec's `required` fields are required; everything else is optional AND
 *   nullable (iamport sends `null` for unset strings such as `pg_id`, `vbank_num`);
 * - unknown fields are stripped, never rejected (the compatibility policy allows new ones);
 * - status-like fields are plain strings, never closed enums, so a new value is data
 *   the caller branches on, not a crash.
 */
import * as z from "../validation/zod.js";

const optString = z.optional(z.nullable(z.string()));
const optNumber = z.optional(z.nullable(z.number()));
const optBoolean = z.optional(z.nullable(z.boolean()));

/** The `{ code, message, response }` wrapper around every iamport answer. */
export const EnvelopeSchema = z.object({
  code: z.number(),
  message: z.optional(z.nullable(z.string())),
  response: z.optional(z.unknown()),
});
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** `POST /users/getToken`: `now` and `expired_at` are the SERVER's unix seconds. */
export const TokenResponseSchema = z.object({
  access_token: z.string(),
  now: z.number(),
  expired_at: z.number(),
});
export type TokenResponse = z.infer<typeof TokenResponseSchema>;

/**
 * One entry of `cancel_history`: each partial or full cancel. Only `amount` and
 * `cancelled_at` are required: refund math needs them, while ids and reasons were
 * absent on older records (`cancellation_id` arrived in 2024-02).
 */
export const CancelHistorySchema = z.object({
  pg_tid: optString,
  amount: z.number(),
  cancelled_at: z.number(),
  reason: optString,
  cancellation_id: optString,
  receipt_url: optString,
});
export type CancelHistory = z.infer<typeof CancelHistorySchema>;

/** A payment record (PaymentAnnotation). Timestamps are unix seconds; `0` means "not happened". */
export const PaymentSchema = z.object({
  imp_uid: z.string(),
  merchant_uid: z.string(),
  /** Original amount; it does NOT shrink on cancels (see `cancel_amount`). */
  amount: z.number(),
  cancel_amount: z.number(),
  currency: z.string(),
  /** `ready` | `paid` | `failed` | `cancelled`, kept open for new values. */
  status: z.string(),
  /** Paid through a test channel: must be refused in live mode. */
  sandbox: z.boolean(),
  pay_method: optString,
  channel: optString,
  pg_provider: optString,
  emb_pg_provider: optString,
  pg_tid: optString,
  pg_id: optString,
  escrow: optBoolean,
  apply_num: optString,
  bank_code: optString,
  bank_name: optString,
  card_code: optString,
  card_name: optString,
  card_issuer_code: optString,
  card_issuer_name: optString,
  card_publisher_code: optString,
  card_publisher_name: optString,
  card_quota: optNumber,
  card_number: optString,
  /** 0 credit, 1 check, null unknown. */
  card_type: optNumber,
  vbank_code: optString,
  vbank_name: optString,
  vbank_num: optString,
  vbank_holder: optString,
  vbank_date: optNumber,
  vbank_issued_at: optNumber,
  name: optString,
  buyer_name: optString,
  buyer_email: optString,
  buyer_tel: optString,
  buyer_addr: optString,
  buyer_postcode: optString,
  /** A JSON string, even when the SDK was given an object. */
  custom_data: optString,
  user_agent: optString,
  started_at: optNumber,
  paid_at: optNumber,
  failed_at: optNumber,
  cancelled_at: optNumber,
  fail_reason: optString,
  cancel_reason: optString,
  receipt_url: optString,
  cancel_history: z.optional(z.nullable(z.array(CancelHistorySchema))),
  cash_receipt_issued: optBoolean,
  customer_uid: optString,
  /** `null` (normal payment) | `issue` | `payment` | `payment.scheduled`. */
  customer_uid_usage: optString,
});

/** `GET /payments?imp_uid[]=…`: the payments found (those not found are left out, HTTP 207). */
export const PaymentListSchema = z.array(PaymentSchema);
export type Payment = z.infer<typeof PaymentSchema>;

/** `GET /payments/findAll/...`: one page of payments. */
export const PaymentPageSchema = z.object({
  total: z.number(),
  previous: z.number(),
  next: z.number(),
  list: z.array(PaymentSchema),
});
export type PaymentPage = z.infer<typeof PaymentPageSchema>;

/**
 * A pre-registered amount (`/payments/prepare`). The spec's `required` list for this
 * object is a copy-paste of the paging one (`total`, `previous`, `next`); real responses
 * carry `merchant_uid` and `amount`, so those are what we require.
 */
export const PreparedSchema = z.object({
  merchant_uid: z.string(),
  amount: z.number(),
  currency: optString,
});
export type Prepared = z.infer<typeof PreparedSchema>;

/** A billing key (CustomerAnnotation). `inserted`/`updated` are unix seconds. */
export const BillingKeySchema = z.object({
  customer_uid: z.string(),
  pg_provider: z.string(),
  pg_id: z.string(),
  card_name: z.string(),
  inserted: z.number(),
  updated: z.number(),
  /** Issued through a test channel. */
  sandbox: z.boolean(),
  customer_id: optString,
  card_code: optString,
  card_issuer_code: optString,
  card_issuer_name: optString,
  card_publisher_code: optString,
  card_publisher_name: optString,
  card_number: optString,
  card_type: optNumber,
  customer_name: optString,
  customer_tel: optString,
  customer_email: optString,
  customer_addr: optString,
  customer_postcode: optString,
});
export type BillingKey = z.infer<typeof BillingKeySchema>;
