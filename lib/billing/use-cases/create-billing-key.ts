/**
 * `POST /billing-keys`: the `IMP.request_pay` params that open KICC's window
 * to issue a billing key. KICC issues keys only in its window, only through
 * the MID it approved for non-authenticated payments (`pg: "kicc.<MID>"`),
 * card only, and charges nothing there (the amount is only shown).
 */
import { randomBytes } from "node:crypto";
import { ConflictError, NotConfiguredError, ValidationError } from "../../errors.js";
import type { CreateBillingKeyBody } from "../api-schemas.js";
import type { BillingKeysRepository } from "../ports.js";

export interface CreateBillingKeyDeps {
  billingKeys: BillingKeysRepository;
  clock: () => Date;
  settings: {
    /** KICC_BILLING_MID; without it this deployment cannot issue billing keys. */
    billingMid?: string;
    /** Where the mobile window returns when the request names no m_redirect_url. */
    defaultRedirectUrl: string;
    /** Origins the window may return to. */
    resultOrigins: readonly string[];
  };
}

/** `IMP.request_pay` params for a KICC billing-key window. */
export interface BillingKeyRequestPay {
  pg: string;
  pay_method: "card";
  merchant_uid: string;
  name: string;
  amount: number;
  currency: "KRW";
  customer_uid: string;
  customer_id?: string;
  buyer_name?: string;
  buyer_email?: string;
  buyer_tel: string;
  buyer_addr?: string;
  buyer_postcode?: string;
  m_redirect_url: string;
}

const DEFAULT_NAME = "정기결제 카드 등록";
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function randomId(prefix: string, length: number): string {
  let out = prefix;
  for (const byte of randomBytes(length)) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/**
 * Reserves the customer_uid (given, or a fresh one: one per customer and card)
 * and returns the window params.
 * @throws NotConfiguredError without a billing MID
 * @throws ValidationError for an m_redirect_url outside the result origins
 * @throws ConflictError for a customer_uid that already names a verified key
 */
export async function createBillingKey(
  deps: CreateBillingKeyDeps,
  body: CreateBillingKeyBody,
): Promise<{ customerUid: string; requestPay: BillingKeyRequestPay }> {
  const mid = deps.settings.billingMid;
  if (!mid) {
    throw new NotConfiguredError(
      "billing keys need KICC's MID for non-authenticated payments: set KICC_BILLING_MID (the kiccBillingMid parameter)",
      "KICC_BILLING_MID",
    );
  }
  const redirect = body.m_redirect_url ?? deps.settings.defaultRedirectUrl;
  if (!deps.settings.resultOrigins.includes(new URL(redirect).origin)) {
    throw new ValidationError([
      { field: "m_redirect_url", reason: "origin is not one of this deployment's result origins" },
    ]);
  }
  const now = deps.clock();
  const customerUid = body.customer_uid ?? randomId("cu_", 24);
  const reserved = await deps.billingKeys.reserve({
    customerUid,
    status: "requested",
    ...(body.customer_id ? { customerId: body.customer_id } : {}),
    requestedAt: now.toISOString(),
    subscriptionIds: [],
    updatedAt: now.toISOString(),
  });
  if (!reserved.reserved) {
    throw new ConflictError(
      "this customer_uid already names a verified billing key; issuing again would re-point it and leave the old " +
        "card's key unrevocable. Use a new customer_uid per card (omit it to get one) and switch with " +
        "POST /subscriptions/{id}/card",
      "customer_uid_taken",
    );
  }
  const requestPay: BillingKeyRequestPay = {
    pg: `kicc.${mid}`,
    pay_method: "card",
    merchant_uid: randomId("bk_", 20),
    name: body.name ?? DEFAULT_NAME,
    amount: body.amount ?? 0,
    currency: "KRW",
    customer_uid: customerUid,
    buyer_tel: body.buyer_tel,
    m_redirect_url: redirect,
  };
  if (body.customer_id !== undefined) requestPay.customer_id = body.customer_id;
  if (body.buyer_name !== undefined) requestPay.buyer_name = body.buyer_name;
  if (body.buyer_email !== undefined) requestPay.buyer_email = body.buyer_email;
  if (body.buyer_addr !== undefined) requestPay.buyer_addr = body.buyer_addr;
  if (body.buyer_postcode !== undefined) requestPay.buyer_postcode = body.buyer_postcode;
  return { customerUid, requestPay };
}
