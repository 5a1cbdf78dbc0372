/**
 * The client's public surface: options and the method set the use cases depend on.
 * Inputs are camelCase; the client maps them to iamport's snake_case wire names.
 */
import type { OutboundSend } from "../outbound-http.js";
import type { BillingKey, Payment, PaymentPage, Prepared } from "./schemas.js";
import type { IamportLogger } from "./transport.js";

export interface IamportCredentials {
  impKey: string;
  impSecret: string;
}

export interface IamportClientOptions {
  /** e.g. `https://api.iamport.kr` or the local sandbox URL. */
  baseUrl: string;
  /** Called lazily (first token), so secrets are read from SSM only when needed. */
  credentials: () => Promise<IamportCredentials>;
  /** Per attempt; default 5000 ms. */
  timeoutMs?: number;
  /** Extra attempts for reads on network error, timeout or 5xx; default 2. */
  readRetries?: number;
  /** How a request is sent: lib/outbound-http.ts by default; `fetch` itself, or a fake, fits. */
  fetch?: OutboundSend;
  /** Local clock in ms; default `Date.now`. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
  logger?: IamportLogger;
  /** Sub-merchant tier code, sent as the `Tier` header. */
  tier?: string;
  /**
   * Epoch ms by which every call must be done; default: the current invocation's deadline
   * (lib/deadline.ts), so no call outlives the Lambda invocation that made it.
   */
  deadline?: () => number | undefined;
}

export type PaymentStatusFilter = "ready" | "paid" | "failed" | "cancelled";

export interface PrepareInput {
  merchantUid: string;
  amount: number;
  /** When omitted, iamport does not check the currency. */
  currency?: string;
}

export interface CancelPaymentInput {
  impUid: string;
  merchantUid?: string;
  /** Omitted (or 0) cancels the whole remaining balance. */
  amount?: number;
  /** KICC does not zero it automatically: send it for tax-free payments. */
  taxFree?: number;
  /** The cancellable balance as we believe it; iamport refuses the cancel when it differs. */
  checksum?: number;
  reason?: string;
  refundHolder?: string;
  refundBank?: string;
  refundAccount?: string;
  refundTel?: string;
  enableWebhook?: boolean;
}

export interface ChargeBillingKeyInput {
  customerUid: string;
  merchantUid: string;
  amount: number;
  name: string;
  taxFree?: number;
  buyerName?: string;
  buyerEmail?: string;
  buyerTel?: string;
  noticeUrl?: string;
  customData?: string;
  cardQuota?: number;
}

export interface ListByStatusInput {
  status: PaymentStatusFilter | "all";
  /** Unix seconds, inclusive, on the timestamp of the payment's final status (paid_at for `paid`). */
  from: number;
  /** Unix seconds, inclusive. */
  to: number;
  page?: number;
  /** At most 1000 (iamport's limit). */
  limit?: number;
  sorting?: "-started" | "started" | "-paid" | "paid" | "-updated" | "updated";
}

/** Typed iamport V1 client. Every method throws only `IamportError` subclasses. */
export interface IamportClient {
  /**
   * Reads the credentials and fetches a token now if none is cached, so a cold container does it while
   * it reads DynamoDB instead of before its first iamport call. Never needed for correctness: a failure
   * here is the next call's to meet (it fetches again).
   */
  warmUp(): Promise<void>;
  /** `GET /payments/{imp_uid}`; test-channel payments included unless `includeSandbox: false`. Throws `IamportNotFoundError`. */
  getPayment(impUid: string, options?: { includeSandbox?: boolean }): Promise<Payment>;
  /**
   * `GET /payments?imp_uid[]=…`: the payments of these imp_uids that iamport has, in one request per
   * {@link PAYMENTS_PER_LOOKUP}; those it does not have are left out (HTTP 207, or 404 when none is).
   */
  getPayments(impUids: readonly string[]): Promise<Payment[]>;
  /** `GET /payments/find/{merchant_uid}[/{status}]`: the newest match, or `null`. */
  findPayment(merchantUid: string, options?: { status?: PaymentStatusFilter }): Promise<Payment | null>;
  /** `GET /payments/status/{payment_status}`: one page of the payments whose final status matches, in a time window. */
  listPaymentsByStatus(input: ListByStatusInput): Promise<PaymentPage>;
  /** `GET /payments/findAll/{merchant_uid}`: every attempt under that merchant_uid (empty when none). */
  findAllPayments(merchantUid: string): Promise<Payment[]>;
  /** `POST /payments/prepare`. A second POST for the same merchant_uid is an `IamportApiError`; see `ensurePrepared`. */
  preparePayment(input: PrepareInput): Promise<Prepared>;
  /** `GET /payments/prepare/{merchant_uid}`, or `null` when nothing is registered. */
  getPreparedPayment(merchantUid: string): Promise<Prepared | null>;
  /** `PUT /payments/prepare`: change a registered amount (404 when none). */
  updatePreparedPayment(input: PrepareInput): Promise<Prepared>;
  /** `POST /payments/cancel`: full or partial; returns the updated payment. */
  cancelPayment(input: CancelPaymentInput): Promise<Payment>;
  /** `GET /subscribe/customers/{customer_uid}`, or `null` when unknown. */
  getBillingKey(customerUid: string): Promise<BillingKey | null>;
  /** `DELETE /subscribe/customers/{customer_uid}`: irreversible; returns the deleted key. */
  deleteBillingKey(customerUid: string, reason?: string): Promise<BillingKey>;
  /**
   * `POST /subscribe/payments/again`. A decline is `code 0` with `status: "failed"` and is
   * RETURNED (read `fail_reason`); a non-zero code throws `IamportApiError`.
   */
  chargeBillingKey(input: ChargeBillingKeyInput): Promise<Payment>;
}

/** imp_uids per `GET /payments?imp_uid[]=…` request (iamport's limit). */
export const PAYMENTS_PER_LOOKUP = 100;
