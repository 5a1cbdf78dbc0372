/**
 * The iamport V1 REST client: create it once per container and inject it.
 * Token handling and the 401 retry live here; timeouts, retries and envelope checks
 * live in the transport.
 */

import { currentDeadline } from "../deadline.js";
import { outboundSend } from "../outbound-http.js";
import { IamportNotFoundError, IamportUnauthorizedError } from "./errors.js";
import {
  BillingKeySchema,
  type Payment,
  PaymentListSchema,
  PaymentPageSchema,
  PaymentSchema,
  PreparedSchema,
  type TokenResponse,
  TokenResponseSchema,
} from "./schemas.js";
import { createTokenCache } from "./token-cache.js";
import { type CallSpec, createTransport } from "./transport.js";
import {
  type IamportClient,
  type IamportClientOptions,
  type IamportCredentials,
  PAYMENTS_PER_LOOKUP,
  type PrepareInput,
} from "./types.js";

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_READ_RETRIES = 2;
/** findAll pages; a merchant_uid carries a handful of attempts, so this bound is never reached in practice. */
const FIND_ALL_PAGE_SIZE = 100;
const FIND_ALL_MAX_PAGES = 10;

/** Bounds the retry loop whatever the caller passes: worst case stays near (1 + 5) × timeout. */
const MAX_READ_RETRIES = 5;

const seg = encodeURIComponent;

function validate(options: IamportClientOptions): { timeoutMs: number; readRetries: number } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const readRetries = options.readRetries ?? DEFAULT_READ_RETRIES;
  if (!options.baseUrl || !URL.canParse(options.baseUrl))
    throw new TypeError("iamport baseUrl must be an absolute URL");
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new TypeError("iamport timeoutMs must be a positive number");
  if (!Number.isInteger(readRetries) || readRetries < 0 || readRetries > MAX_READ_RETRIES) {
    throw new TypeError(`iamport readRetries must be an integer from 0 to ${MAX_READ_RETRIES}`);
  }
  return { timeoutMs, readRetries };
}

/** Creates the client. Nothing is fetched until the first call. */
export function createIamportClient(options: IamportClientOptions): IamportClient {
  const { timeoutMs, readRetries } = validate(options);
  const now = options.now ?? Date.now;
  const transport = createTransport({
    baseUrl: options.baseUrl,
    fetch: options.fetch ?? outboundSend,
    timeoutMs,
    readRetries,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    random: options.random ?? Math.random,
    logger: options.logger,
    tier: options.tier,
    // The invocation's deadline (lib/deadline.ts) unless the caller gives its own.
    deadline: options.deadline ?? currentDeadline,
  });

  let credentials: Promise<IamportCredentials> | undefined;
  async function fetchToken(): Promise<TokenResponse> {
    // Through a promise so a synchronous throw is handled like a rejection.
    credentials ??= Promise.resolve().then(options.credentials);
    let creds: IamportCredentials;
    try {
      creds = await credentials;
    } catch (err) {
      credentials = undefined; // a failed secret fetch must not be cached
      throw err;
    }
    try {
      // Safe to retry: within its lifetime iamport returns the same token.
      return await transport({
        method: "POST",
        path: "/users/getToken",
        route: "POST /users/getToken",
        body: { imp_key: creds.impKey, imp_secret: creds.impSecret },
        schema: TokenResponseSchema,
        kind: "read",
      });
    } catch (err) {
      // Rotated secret: read it again next time instead of failing forever.
      if (err instanceof IamportUnauthorizedError) credentials = undefined;
      throw err;
    }
  }
  const tokens = createTokenCache({ fetchToken, now });

  /** Sends with a token; on 401 drops it, refreshes once and resends once (the 401 proves nothing ran). */
  async function authed<T>(spec: CallSpec<T>): Promise<T> {
    const token = await tokens.get();
    try {
      return await transport({ ...spec, token });
    } catch (err) {
      if (!(err instanceof IamportUnauthorizedError)) throw err;
      tokens.invalidate(token);
      options.logger?.warn("iamport token refused, refreshing once", { route: spec.route });
      return transport({ ...spec, token: await tokens.get() });
    }
  }

  async function orNull<T>(promise: Promise<T>): Promise<T | null> {
    try {
      return await promise;
    } catch (err) {
      if (err instanceof IamportNotFoundError) return null;
      throw err;
    }
  }

  const prepareBody = (input: PrepareInput) => ({
    merchant_uid: input.merchantUid,
    amount: input.amount,
    currency: input.currency,
  });

  return {
    warmUp: () => tokens.get().then(() => undefined),
    getPayment: (impUid, opts) =>
      authed({
        method: "GET",
        path: `/payments/${seg(impUid)}`,
        route: "GET /payments/{imp_uid}",
        // Default true: a test-channel payment must be seen to be refused explicitly.
        query: { include_sandbox: String(opts?.includeSandbox ?? true) },
        schema: PaymentSchema,
        kind: "read",
      }),

    async getPayments(impUids) {
      const found: Payment[] = [];
      for (let start = 0; start < impUids.length; start += PAYMENTS_PER_LOOKUP) {
        const page = await orNull(
          authed({
            method: "GET",
            path: "/payments",
            route: "GET /payments",
            query: { "imp_uid[]": impUids.slice(start, start + PAYMENTS_PER_LOOKUP) },
            schema: PaymentListSchema,
            kind: "read",
          }),
        );
        found.push(...(page ?? []));
      }
      return found;
    },

    findPayment: (merchantUid, opts) =>
      orNull(
        authed({
          method: "GET",
          path: `/payments/find/${seg(merchantUid)}${opts?.status ? `/${opts.status}` : ""}`,
          route: `GET /payments/find/{merchant_uid}${opts?.status ? "/{payment_status}" : ""}`,
          schema: PaymentSchema,
          kind: "read",
        }),
      ),

    listPaymentsByStatus: (input) =>
      authed({
        method: "GET",
        path: `/payments/status/${seg(input.status)}`,
        route: "GET /payments/status/{payment_status}",
        query: {
          from: String(input.from),
          to: String(input.to),
          page: String(input.page ?? 1),
          limit: String(Math.min(1000, input.limit ?? 100)),
          sorting: input.sorting ?? "paid",
        },
        schema: PaymentPageSchema,
        kind: "read",
      }),

    async findAllPayments(merchantUid) {
      const payments: Payment[] = [];
      for (let page = 1; page <= FIND_ALL_MAX_PAGES; page++) {
        const result = await orNull(
          authed({
            method: "GET",
            path: `/payments/findAll/${seg(merchantUid)}`,
            route: "GET /payments/findAll/{merchant_uid}",
            // Newest first, so callers can rely on the order whatever iamport's default.
            query: { page: String(page), limit: String(FIND_ALL_PAGE_SIZE), sorting: "-started" },
            schema: PaymentPageSchema,
            kind: "read",
          }),
        );
        if (!result) break;
        payments.push(...result.list);
        if (!result.next || result.list.length === 0) break;
      }
      return payments;
    },

    preparePayment: (input) =>
      authed({
        method: "POST",
        path: "/payments/prepare",
        route: "POST /payments/prepare",
        body: prepareBody(input),
        schema: PreparedSchema,
        kind: "write",
      }),

    getPreparedPayment: (merchantUid) =>
      orNull(
        authed({
          method: "GET",
          path: `/payments/prepare/${seg(merchantUid)}`,
          route: "GET /payments/prepare/{merchant_uid}",
          schema: PreparedSchema,
          kind: "read",
        }),
      ),

    updatePreparedPayment: (input) =>
      authed({
        method: "PUT",
        path: "/payments/prepare",
        route: "PUT /payments/prepare",
        body: prepareBody(input),
        schema: PreparedSchema,
        kind: "write",
      }),

    cancelPayment: (input) =>
      authed({
        method: "POST",
        path: "/payments/cancel",
        route: "POST /payments/cancel",
        body: {
          imp_uid: input.impUid,
          merchant_uid: input.merchantUid,
          amount: input.amount,
          tax_free: input.taxFree,
          checksum: input.checksum,
          reason: input.reason,
          refund_holder: input.refundHolder,
          refund_bank: input.refundBank,
          refund_account: input.refundAccount,
          refund_tel: input.refundTel,
          enable_webhook: input.enableWebhook,
        },
        schema: PaymentSchema,
        kind: "write",
      }),

    getBillingKey: (customerUid) =>
      orNull(
        authed({
          method: "GET",
          path: `/subscribe/customers/${seg(customerUid)}`,
          route: "GET /subscribe/customers/{customer_uid}",
          schema: BillingKeySchema,
          kind: "read",
        }),
      ),

    deleteBillingKey: (customerUid, reason) =>
      authed({
        method: "DELETE",
        path: `/subscribe/customers/${seg(customerUid)}`,
        route: "DELETE /subscribe/customers/{customer_uid}",
        query: { reason },
        schema: BillingKeySchema,
        kind: "write",
      }),

    chargeBillingKey: (input) =>
      authed({
        method: "POST",
        path: "/subscribe/payments/again",
        route: "POST /subscribe/payments/again",
        body: {
          customer_uid: input.customerUid,
          merchant_uid: input.merchantUid,
          amount: input.amount,
          name: input.name,
          tax_free: input.taxFree,
          buyer_name: input.buyerName,
          buyer_email: input.buyerEmail,
          buyer_tel: input.buyerTel,
          notice_url: input.noticeUrl,
          custom_data: input.customData,
          card_quota: input.cardQuota,
        },
        schema: PaymentSchema,
        kind: "write",
      }),
  };
}
