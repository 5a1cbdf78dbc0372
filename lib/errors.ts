/**
 * Domain errors. One place (lib/http/error-response.ts) maps them to HTTP;
 * nothing else decides a status code.
 */

/** A field of the caller's input and why it was refused. */
export interface FieldIssue {
  field: string;
  reason: string;
}

/** Bad input: 400, nothing written (invariant 6). */
export class ValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((issue) => `${issue.field}: ${issue.reason}`).join("; "));
    this.name = "ValidationError";
  }
}

export class UnauthorizedError extends Error {
  constructor(message = "a valid API key is required in the x-api-key header") {
    super(message);
    this.name = "UnauthorizedError";
  }
}

export class NotFoundError extends Error {
  constructor(readonly resource: string) {
    super(`${resource} not found`);
    this.name = "NotFoundError";
  }
}

/** The path is routed, but not for this method: 405 with `Allow` naming the methods it has. */
export class MethodNotAllowedError extends Error {
  constructor(
    readonly method: string,
    readonly allow: readonly string[],
  ) {
    super(`${method.slice(0, 20)} is not allowed here; use ${allow.join(", ")}`);
    this.name = "MethodNotAllowedError";
  }
}

/** The caller may not use this route (a webhook from an address not on the allow-list): 403, nothing written. */
export class ForbiddenError extends Error {
  constructor(
    message: string,
    readonly code = "forbidden",
    /** The caller's address, for the log line (never an alert: anyone can call a public URL). */
    readonly caller?: string,
  ) {
    super(message);
    this.name = "ForbiddenError";
  }
}

/** The request conflicts with what is stored (a reused merchant_uid, a refund beyond the balance...). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly code = "conflict",
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "ConflictError";
  }
}

/** Something we depend on is down; the same request may succeed later (503). */
export class RetryLaterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RetryLaterError";
  }
}

/** This deployment is not set up for the request (e.g. no billing MID): 501, a configuration fix, not a retry. */
export class NotConfiguredError extends Error {
  constructor(
    message: string,
    readonly setting: string,
  ) {
    super(message);
    this.name = "NotConfiguredError";
  }
}
