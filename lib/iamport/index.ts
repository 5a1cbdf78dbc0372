/** Typed iamport (PortOne V1) REST client. */
export { createIamportClient } from "./client.js";
export { ensurePrepared, PreparedAmountConflictError } from "./ensure-prepared.js";
export {
  IamportApiError,
  IamportError,
  IamportNotFoundError,
  IamportOutcomeUnknownError,
  IamportResponseShapeError,
  IamportUnauthorizedError,
  IamportUnavailableError,
  type ShapeIssue,
} from "./errors.js";
export {
  type BillingKey,
  BillingKeySchema,
  type CancelHistory,
  type Payment,
  PaymentSchema,
  type Prepared,
  PreparedSchema,
  type TokenResponse,
  TokenResponseSchema,
} from "./schemas.js";
export { createTokenCache, type TokenCache, type TokenCacheOptions } from "./token-cache.js";
export type { IamportLogger } from "./transport.js";
export type {
  CancelPaymentInput,
  ChargeBillingKeyInput,
  IamportClient,
  IamportClientOptions,
  IamportCredentials,
  PaymentStatusFilter,
  PrepareInput,
} from "./types.js";
