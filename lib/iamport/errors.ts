/**
 * Errors thrown by the iamport client. Each class answers one question a caller
 * must act on: was it refused (api), is it missing (not found), can I retry later
 * (unavailable), or might the money already have moved (outcome unknown)?
 */
import { AppError } from "../errors.js";

/** Base class of every error this client throws; each names itself, as every AppError does (lib/errors.ts). */
export class IamportError extends AppError {
  override readonly name: string = "IamportError";
  /** `"METHOD /template"` of the call, e.g. `GET /payments/{imp_uid}`; never carries ids or secrets. */
  readonly route: string;

  constructor(message: string, route: string, options?: ErrorOptions) {
    super(message, options);
    this.route = route;
  }
}

/**
 * iamport answered and refused the request: HTTP 200 with `code !== 0`, or a 4xx.
 * `message` (and `iamportMessage`) is iamport's `message`, unmodified (often Korean), so
 * callers can show or match the documented wording; `route` and `httpStatus` say where.
 */
export class IamportApiError extends IamportError {
  override readonly name: string = "IamportApiError";
  readonly httpStatus: number;
  /** The envelope `code` (usually `1` or `-1`); `null` when the body had no envelope. */
  readonly code: number | null;
  readonly iamportMessage: string | null;

  constructor(
    init: { httpStatus: number; code: number | null; iamportMessage: string | null; route: string },
    options?: ErrorOptions,
  ) {
    super(
      init.iamportMessage ?? `iamport refused ${init.route} (HTTP ${init.httpStatus})`,
      init.route,
      options,
    );
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.iamportMessage = init.iamportMessage;
  }
}

/** HTTP 404: the payment, prepared amount or billing key does not exist (or is hidden). */
export class IamportNotFoundError extends IamportApiError {
  override readonly name: string = "IamportNotFoundError";
}

/** HTTP 401 even after one forced token refresh, or bad `imp_key`/`imp_secret` on getToken. */
export class IamportUnauthorizedError extends IamportError {
  override readonly name: string = "IamportUnauthorizedError";
}

/**
 * iamport could not be reached or failed (network error, timeout, 5xx) and the request
 * was either a read (retried already) or certainly not executed. Safe to retry later.
 */
export class IamportUnavailableError extends IamportError {
  override readonly name: string = "IamportUnavailableError";
}

/**
 * A write (cancel, again, prepare, billing key delete) may or may not have been executed:
 * timeout or connection loss after sending, a 5xx, or an unreadable success body.
 * Never retry it blind: look the payment up first (by `merchant_uid` / `imp_uid`).
 */
export class IamportOutcomeUnknownError extends IamportError {
  override readonly name: string = "IamportOutcomeUnknownError";
}

/** Minimal, dependency-free view of a zod issue, kept so logs show which field broke. */
export interface ShapeIssue {
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message: string;
}

/** The response did not match the documented shape (not JSON, no envelope, or a required field missing). */
export class IamportResponseShapeError extends IamportError {
  override readonly name: string = "IamportResponseShapeError";
  readonly issues: ReadonlyArray<ShapeIssue>;
  readonly httpStatus: number;

  constructor(
    init: { route: string; httpStatus: number; issues: ReadonlyArray<ShapeIssue>; detail?: string },
    options?: ErrorOptions,
  ) {
    const where = init.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`);
    super(
      `iamport ${init.route} returned an unexpected shape: ${init.detail ?? where.join("; ")}`,
      init.route,
      options,
    );
    this.issues = init.issues;
    this.httpStatus = init.httpStatus;
  }
}
