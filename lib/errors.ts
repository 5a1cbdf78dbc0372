/**
 * Domain errors. One place (lib/http/error-response.ts) maps them to HTTP;
 * nothing else decides a status code.
 */

/**
 * The base of every error class of lib: a cause is passed as ES `ErrorOptions`
 * (`{ cause }`), and each class names itself once, with a field:
 * `override readonly name: string = "ClassName"`. Not from the constructor's
 * own name (`new.target.name`): the deployed bundles are minified
 * (serverless.yml custom.esbuild, without keepNames), which renames classes,
 * and the logs and `error.name` checks need the real name.
 */
export class AppError extends Error {
  override readonly name: string = "AppError";

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A field of the caller's input and why it was refused. */
export interface FieldIssue {
  field: string;
  reason: string;
}

/** Bad input: 400, nothing written (invariant 6). */
export class ValidationError extends AppError {
  override readonly name: string = "ValidationError";

  constructor(
    readonly issues: FieldIssue[],
    options?: ErrorOptions,
  ) {
    super(issues.map((issue) => `${issue.field}: ${issue.reason}`).join("; "), options);
  }
}

export class UnauthorizedError extends AppError {
  override readonly name: string = "UnauthorizedError";

  constructor(message = "a valid API key is required in the x-api-key header", options?: ErrorOptions) {
    super(message, options);
  }
}

export class NotFoundError extends AppError {
  override readonly name: string = "NotFoundError";

  constructor(
    readonly resource: string,
    options?: ErrorOptions,
  ) {
    super(`${resource} not found`, options);
  }
}

/** The path is routed, but not for this method: 405 with `Allow` naming the methods it has. */
export class MethodNotAllowedError extends AppError {
  override readonly name: string = "MethodNotAllowedError";

  constructor(
    readonly method: string,
    readonly allow: readonly string[],
    options?: ErrorOptions,
  ) {
    super(`${method.slice(0, 20)} is not allowed here; use ${allow.join(", ")}`, options);
  }
}

/** The caller may not use this route (a webhook from an address not on the allow-list): 403, nothing written. */
export class ForbiddenError extends AppError {
  override readonly name: string = "ForbiddenError";

  constructor(
    message: string,
    readonly code = "forbidden",
    /** The caller's address, for the log line (never an alert: anyone can call a public URL). */
    readonly caller?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request conflicts with what is stored (a reused merchant_uid, a refund beyond the balance...). */
export class ConflictError extends AppError {
  override readonly name: string = "ConflictError";

  constructor(
    message: string,
    readonly code = "conflict",
    readonly details?: Record<string, unknown>,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Something we depend on is down; the same request may succeed later (503). */
export class RetryLaterError extends AppError {
  override readonly name: string = "RetryLaterError";
}

/** This deployment is not set up for the request (e.g. no billing MID): 501, a configuration fix, not a retry. */
export class NotConfiguredError extends AppError {
  override readonly name: string = "NotConfiguredError";

  constructor(
    message: string,
    readonly setting: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
