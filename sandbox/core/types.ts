/**
 * Shapes the sandbox stores and returns. Field names follow iamport V1 on the wire
 * (snake_case), because these objects are what the REST API answers with.
 */

/** A payment as `GET /payments/{imp_uid}` returns it. Inapplicable fields are null, timestamps 0. */
export interface PaymentView {
  imp_uid: string;
  merchant_uid: string;
  pay_method: string;
  channel: "pc" | "mobile" | "api";
  pg_provider: string;
  emb_pg_provider: string | null;
  pg_tid: string | null;
  pg_id: string;
  sandbox: boolean;
  escrow: boolean;
  apply_num: string | null;
  bank_code: string | null;
  bank_name: string | null;
  card_code: string | null;
  card_name: string | null;
  card_issuer_code: string | null;
  card_issuer_name: string | null;
  card_publisher_code: string | null;
  card_publisher_name: string | null;
  card_quota: number;
  card_number: string | null;
  card_type: number | null;
  vbank_code: string | null;
  vbank_name: string | null;
  vbank_num: string | null;
  vbank_holder: string | null;
  vbank_date: number;
  vbank_issued_at: number;
  name: string | null;
  amount: number;
  cancel_amount: number;
  currency: string;
  buyer_name: string | null;
  buyer_email: string | null;
  buyer_tel: string | null;
  buyer_addr: string | null;
  buyer_postcode: string | null;
  custom_data: string | null;
  user_agent: string | null;
  status: PaymentStatus;
  started_at: number;
  paid_at: number;
  failed_at: number;
  cancelled_at: number;
  fail_reason: string | null;
  cancel_reason: string | null;
  receipt_url: string | null;
  cancel_history: CancelHistoryEntry[];
  cancel_receipt_urls: string[];
  cash_receipt_issued: boolean;
  customer_uid: string | null;
  customer_uid_usage: "issue" | "payment" | "payment.scheduled" | null;
}

export type PaymentStatus = "ready" | "paid" | "cancelled" | "failed";

export interface CancelHistoryEntry {
  pg_tid: string;
  amount: number;
  cancelled_at: number;
  reason: string;
  cancellation_id: string;
  receipt_url: string;
}

/** Sandbox-only bookkeeping kept beside a payment; never sent over the REST API. */
export interface PaymentMeta {
  /** Webhook targets chosen at payment time (notice_url beats the console URL). */
  noticeUrls: string[];
  taxFree: number;
  cancelledTaxFree: number;
  /** Monotonic tie-breaker: many payments share one clock second. */
  seq: number;
  updatedAt: number;
}

export interface StoredPayment {
  view: PaymentView;
  meta: PaymentMeta;
}

/** A billing key as `GET /subscribe/customers/{customer_uid}` returns it. */
export interface BillingKeyView {
  customer_uid: string;
  pg_provider: string;
  pg_id: string;
  sandbox: boolean;
  customer_id: string | null;
  card_name: string;
  card_code: string;
  card_number: string;
  card_type: number | null;
  customer_name: string | null;
  customer_tel: string | null;
  customer_email: string | null;
  customer_addr: string | null;
  customer_postcode: string | null;
  inserted: number;
  updated: number;
}

export interface StoredBillingKey {
  view: BillingKeyView;
  /** The unmasked test card number, kept only so declines can match on it. */
  rawCardNumber: string;
}

export interface PreparedView {
  merchant_uid: string;
  amount: number;
  currency: string | null;
}

/** A decline rule: matching charges fail with `reason` (code 0, status failed). */
export interface DeclineRule {
  customer_uid?: string;
  card_number?: string;
  card_code?: string;
  reason: DeclineReason;
  /**
   * How `again` answers this decline: `status-failed` (code 0, a failed payment), `refused`
   * (code 1 with the PG's reason, no payment) or `refused-with-record` (code 1, a failed payment
   * on record). Absent: the `againDecline` mode. Window payments always fail the same way.
   */
  answer?: DeclineAnswer;
}

/** The values of the `againDecline` mode. */
export type DeclineAnswer = "status-failed" | "refused" | "refused-with-record";

/** Known KICC-style decline reasons, or any free text used verbatim as fail_reason. */
export type DeclineReason =
  | "limit_exceeded"
  | "insufficient_balance"
  | "lost_card"
  | "expired_card"
  | (string & {});
