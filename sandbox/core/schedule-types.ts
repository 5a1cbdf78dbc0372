/**
 * PortOne's own scheduler for billing keys (`/subscribe/payments/schedule`). Field names
 * follow the wire (snake_case): a ScheduleView is what the REST API answers with.
 */

export type ScheduleStatus = "scheduled" | "executed" | "revoked";

/** A schedule as `GET /subscribe/payments/schedule/{merchant_uid}` returns it. */
export interface ScheduleView {
  customer_uid: string;
  merchant_uid: string;
  /** null until executed; revoked schedules keep null. */
  imp_uid: string | null;
  pg_provider: string | null;
  pg_id: string | null;
  customer_id: string | null;
  schedule_at: number;
  executed_at: number;
  revoked_at: number;
  amount: number;
  currency: string;
  name: string | null;
  buyer_name: string | null;
  buyer_email: string | null;
  buyer_tel: string | null;
  buyer_addr: string | null;
  buyer_postcode: string | null;
  custom_data: string | null;
  schedule_status: ScheduleStatus;
  /** null until executed; then the executed payment's status (cancelled after a full refund). */
  payment_status: "paid" | "failed" | "cancelled" | null;
  fail_reason: string | null;
  promotion_id: string | null;
}

/** Sandbox-only bookkeeping beside a schedule; never sent over the REST API. */
export interface ScheduleMeta {
  /** Webhook targets of the executed payment (notice_url beats the console URL). */
  noticeUrls: string[];
  taxFree: number | undefined;
  cardQuota: number | undefined;
  /** The key's test-channel flag when scheduled (used if the key is gone at execution). */
  sandbox: boolean;
  /** Creation order: many schedules share one schedule_at. */
  seq: number;
}

export interface StoredSchedule {
  view: ScheduleView;
  meta: ScheduleMeta;
}

/** One entry of `schedules[]` in `POST /subscribe/payments/schedule`, already parsed. */
export interface ScheduleInput {
  merchant_uid: string;
  schedule_at: number;
  amount: number;
  currency?: string;
  name?: string;
  tax_free?: number;
  card_quota?: number;
  custom_data?: string;
  notice_url?: string | string[];
  buyer_name?: string;
  buyer_email?: string;
  buyer_tel?: string;
  buyer_addr?: string;
  buyer_postcode?: string;
  promotion_id?: string;
}

export interface ScheduleRequest {
  customer_uid: string;
  customer_id?: string;
  /** Card data: KICC cannot issue a key over REST, so it only sharpens the refusal. */
  card_number?: string;
  schedules: ScheduleInput[];
}
