import type { DeclineReason } from "./types.js";

/** How the person finished the payment window. */
export type PayOutcome = "approve" | "close" | { decline: DeclineReason };

/**
 * `IMP.request_pay` params plus the outcome the person picked. Unknown params are accepted
 * and ignored, as the SDK does; the known ones are validated by the KICC rules.
 */
export interface PayInput {
  pg?: string;
  channelKey?: string;
  pay_method?: string;
  merchant_uid?: string;
  amount?: unknown;
  name?: string;
  currency?: string;
  tax_free?: unknown;
  buyer_name?: string;
  buyer_email?: string;
  buyer_tel?: string;
  buyer_addr?: string;
  buyer_postcode?: string;
  escrow?: boolean;
  kiccProducts?: unknown;
  digital?: boolean;
  vbank_due?: string;
  m_redirect_url?: string;
  notice_url?: string | string[];
  customer_uid?: string;
  customer_id?: string;
  custom_data?: unknown;
  /** SDK card options plus, sandbox-only, the test card used (`code`, `number`). */
  card?: {
    code?: string;
    number?: string;
    direct?: { code?: unknown; quota?: unknown };
    detail?: unknown;
  };
  outcome: PayOutcome;
  /** This payment went through a test channel: `sandbox: true`. */
  testChannel?: boolean;
  /** Skip the prepare check, as if a tampered amount reached the PG (forgery tests). */
  bypassPrepare?: boolean;
  /**
   * The window was opened before the merchant_uid was paid (a second tab): its "already paid"
   * pre-check passed then, so a second payment lands under the same merchant_uid.
   */
  openedBeforePaid?: boolean;
  /** pc (default) or mobile; the window passes what it detected. */
  channel?: "pc" | "mobile";
  user_agent?: string;
  [extra: string]: unknown;
}

/** Shaped like the SDK callback's rsp (fact sheet §7). */
export interface PayResult {
  imp_uid: string | null;
  merchant_uid: string;
  success: boolean;
  /** Older SDK versions' name for `success` (the same value); the current SDK dropped both. */
  imp_success?: boolean;
  error_code?: string;
  error_msg?: string;
  status?: "ready" | "paid" | "failed";
  pay_method?: string;
  paid_amount?: number;
  name?: string | null;
  pg_provider?: string;
  pg_tid?: string | null;
  buyer_name?: string | null;
  buyer_email?: string | null;
  buyer_tel?: string | null;
  buyer_addr?: string | null;
  buyer_postcode?: string | null;
  /** "payment" for a payment window (the SDK's other kind is "certification"). */
  pg_type?: "payment";
  /** The easy-pay wallet used inside the PG window; null for a plain KICC card or account. */
  emb_pg_provider?: string | null;
  custom_data?: unknown;
  paid_at?: number;
  receipt_url?: string | null;
  apply_num?: string | null;
  card_name?: string | null;
  card_number?: string | null;
  card_quota?: number;
  currency?: string;
  vbank_num?: string | null;
  vbank_name?: string | null;
  vbank_holder?: string | null;
  vbank_date?: number;
  customer_uid?: string | null;
}
