import type { PaymentMeta, PaymentView, StoredPayment } from "./types.js";

export interface NewPaymentInput {
  impUid: string;
  merchantUid: string;
  payMethod: string;
  channel: PaymentView["channel"];
  pgId: string;
  sandbox: boolean;
  amount: number;
  name: string | null;
  now: number;
  seq: number;
  escrow?: boolean;
  currency?: string;
  buyer?: Partial<
    Pick<PaymentView, "buyer_name" | "buyer_email" | "buyer_tel" | "buyer_addr" | "buyer_postcode">
  >;
  customData?: unknown;
  userAgent?: string | null;
  customerUid?: string | null;
  customerUidUsage?: PaymentView["customer_uid_usage"];
  noticeUrls: string[];
  taxFree?: number;
}

/**
 * A payment as it looks right after the window opened: status ready, nothing paid.
 * Callers then move it to paid / failed / ready-with-vbank.
 */
export function newPayment(input: NewPaymentInput): StoredPayment {
  const view: PaymentView = {
    imp_uid: input.impUid,
    merchant_uid: input.merchantUid,
    pay_method: input.payMethod,
    channel: input.channel,
    pg_provider: "kicc",
    emb_pg_provider: null,
    pg_tid: null,
    pg_id: input.pgId,
    sandbox: input.sandbox,
    escrow: input.escrow ?? false,
    apply_num: null,
    bank_code: null,
    bank_name: null,
    card_code: null,
    card_name: null,
    card_issuer_code: null,
    card_issuer_name: null,
    card_publisher_code: null,
    card_publisher_name: null,
    card_quota: 0,
    card_number: null,
    card_type: null,
    vbank_code: null,
    vbank_name: null,
    vbank_num: null,
    vbank_holder: null,
    vbank_date: 0,
    vbank_issued_at: 0,
    name: input.name,
    amount: input.amount,
    cancel_amount: 0,
    currency: input.currency ?? "KRW",
    buyer_name: input.buyer?.buyer_name ?? null,
    buyer_email: input.buyer?.buyer_email ?? null,
    buyer_tel: input.buyer?.buyer_tel ?? null,
    buyer_addr: input.buyer?.buyer_addr ?? null,
    buyer_postcode: input.buyer?.buyer_postcode ?? null,
    custom_data: customDataString(input.customData),
    user_agent: input.userAgent ?? null,
    status: "ready",
    started_at: input.now,
    paid_at: 0,
    failed_at: 0,
    cancelled_at: 0,
    fail_reason: null,
    cancel_reason: null,
    receipt_url: null,
    cancel_history: [],
    cancel_receipt_urls: [],
    cash_receipt_issued: false,
    customer_uid: input.customerUid ?? null,
    customer_uid_usage: input.customerUidUsage ?? null,
  };
  const meta: PaymentMeta = {
    noticeUrls: input.noticeUrls,
    taxFree: input.taxFree ?? 0,
    cancelledTaxFree: 0,
    seq: input.seq,
    updatedAt: input.now,
  };
  return { view, meta };
}

/** iamport stores custom_data as a JSON string even when the SDK sent an object. */
function customDataString(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function receiptUrl(baseUrl: string, impUid: string): string {
  return `${baseUrl}/__sandbox/receipts/${encodeURIComponent(impUid)}`;
}

/** Deep copy, so callers of the control API cannot mutate sandbox state by accident. */
export function snapshot<T>(value: T): T {
  return structuredClone(value);
}
