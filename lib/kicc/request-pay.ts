/**
 * The object the browser hands to `IMP.request_pay`, built from a validated
 * order. The server builds it (rather than the page) so the amount, `pg` and
 * return URLs are the ones stored and pre-registered, not the page's.
 */
import type { CardOptions } from "./card-options.js";
import type { KiccPayMethod } from "./create-order-fields.js";
import type { CreateOrderRequest } from "./create-order-request.js";
import { defaultVbankDue } from "./vbank-due.js";

/** One escrow product line, as KICC names its fields. */
export interface KiccProduct {
  orderNumber: string;
  name: string;
  quantity: number;
  amount: number;
}

/** `IMP.request_pay` parameters for KICC (iamport V1 JS SDK). */
export interface RequestPayParams {
  pg: string;
  pay_method: KiccPayMethod;
  merchant_uid: string;
  name: string;
  amount: number;
  tax_free?: number;
  currency: "KRW";
  buyer_name?: string;
  buyer_email?: string;
  buyer_tel: string;
  buyer_addr?: string;
  buyer_postcode?: string;
  m_redirect_url?: string;
  notice_url?: string;
  escrow?: boolean;
  kiccProducts?: KiccProduct[];
  card?: CardOptions;
  vbank_due?: string;
  digital?: boolean;
  custom_data?: Record<string, unknown>;
  customer_uid?: string;
}

/** What the order use case knows that the merchant's body does not. */
export interface RequestPayContext {
  /** The order's id: the merchant's `merchant_uid` or a generated one. */
  merchantUid: string;
  /** From `kiccPg(mid)`. */
  pg: string;
  /** This deployment's mobile completion route. */
  mRedirectUrl: string;
  /** The webhook URL, when configured (otherwise iamport uses the console's). */
  noticeUrl?: string;
  now: Date;
  /** Deposit window for a virtual account when the order gives no `vbank_due`. */
  defaultVbankDueHours: number;
}

/**
 * The `IMP.request_pay` params for `request`. Pure: absent optionals are
 * omitted (never `undefined` keys, which would survive into stored JSON as
 * noise), `vbank_due` is set for every virtual account, and `result_url` stays
 * server-side because it is where this service redirects, not iamport.
 *
 * @throws {RangeError} for a vbank order without `vbank_due` when
 *   `defaultVbankDueHours` is not positive.
 */
export function buildRequestPayParams(
  request: CreateOrderRequest,
  context: RequestPayContext,
): RequestPayParams {
  const params: RequestPayParams = {
    pg: context.pg,
    pay_method: request.pay_method,
    merchant_uid: context.merchantUid,
    name: request.name,
    amount: request.amount,
    currency: "KRW",
    buyer_tel: request.buyer_tel,
    m_redirect_url: context.mRedirectUrl,
  };
  if (context.noticeUrl !== undefined) params.notice_url = context.noticeUrl;
  if (request.tax_free !== undefined) params.tax_free = request.tax_free;
  if (request.buyer_name !== undefined) params.buyer_name = request.buyer_name;
  if (request.buyer_email !== undefined) params.buyer_email = request.buyer_email;
  if (request.buyer_addr !== undefined) params.buyer_addr = request.buyer_addr;
  if (request.buyer_postcode !== undefined) params.buyer_postcode = request.buyer_postcode;
  if (request.escrow !== undefined) params.escrow = request.escrow;
  if (request.kiccProducts !== undefined) params.kiccProducts = request.kiccProducts.map((p) => ({ ...p }));
  if (request.card !== undefined) params.card = copyCard(request.card);
  if (request.pay_method === "vbank") {
    params.vbank_due = request.vbank_due ?? defaultVbankDue(context.now, context.defaultVbankDueHours);
  }
  if (request.digital !== undefined) params.digital = request.digital;
  if (request.custom_data !== undefined) params.custom_data = request.custom_data;
  return params;
}

// A copy, so a caller that later edits the params cannot change the validated
// request it may also have stored, and without `undefined` keys.
function copyCard(card: CardOptions): CardOptions {
  const copy: CardOptions = {};
  if (card.direct !== undefined) copy.direct = { ...card.direct };
  if (card.detail !== undefined) copy.detail = card.detail.map((entry) => ({ ...entry }));
  return copy;
}
