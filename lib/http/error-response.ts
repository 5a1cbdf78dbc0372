/**
 * The one place errors become HTTP. Input errors are 4xx with the field and the
 * reason; a dependency that may recover is 503 with Retry-After (so iamport's
 * webhook retry can come); anything unknown is a generic 500, logged with its
 * stack and never sent to the client.
 */
import {
  ConflictError,
  type FieldIssue,
  ForbiddenError,
  MethodNotAllowedError,
  NotConfiguredError,
  NotFoundError,
  RetryLaterError,
  UnauthorizedError,
  ValidationError,
} from "../errors.js";
import { IamportApiError, IamportOutcomeUnknownError, IamportUnavailableError } from "../iamport/errors.js";
import type { Logger } from "../observability/logger.js";
import type { ErrorBody } from "./error-body.js";
import { type HttpResult, json } from "./response.js";

export function errorResponse(error: unknown, logger: Logger): HttpResult {
  if (error instanceof ValidationError) {
    const issues = boundedIssues(error.issues);
    return json(400, {
      error: "invalid_request",
      message: bounded(
        issues.map((issue) => `${issue.field}: ${issue.reason}`).join("; "),
        MAX_MESSAGE_CHARS,
      ),
      issues,
    } satisfies ErrorBody);
  }
  if (error instanceof UnauthorizedError)
    return json(401, { error: "unauthorized", message: error.message } satisfies ErrorBody);
  if (error instanceof ForbiddenError) {
    logger.warn("caller refused", { code: error.code, source_ip: error.caller ?? null });
    return json(403, { error: error.code, message: error.message } satisfies ErrorBody);
  }
  if (error instanceof NotFoundError)
    return json(404, { error: "not_found", message: error.message } satisfies ErrorBody);
  if (error instanceof MethodNotAllowedError) {
    const allow = error.allow.join(", ");
    return json(405, { error: "method_not_allowed", message: error.message } satisfies ErrorBody, { allow });
  }
  if (error instanceof NotConfiguredError) {
    return json(501, {
      error: "not_configured",
      message: error.message,
      setting: error.setting,
    } satisfies ErrorBody);
  }
  if (error instanceof ConflictError) {
    return json(409, { error: error.code, message: error.message, ...(error.details ?? {}) });
  }
  if (
    error instanceof RetryLaterError ||
    error instanceof IamportUnavailableError ||
    error instanceof IamportOutcomeUnknownError
  ) {
    logger.warn("dependency unavailable; asked the caller to retry", {
      error,
      signal: "iamport_unavailable",
    });
    return json(
      503,
      {
        error: "retry_later",
        message: "the payment service is temporarily unavailable; retry shortly",
      } satisfies ErrorBody,
      { "retry-after": "5" },
    );
  }
  if (error instanceof IamportApiError) {
    logger.error("iamport refused a request", { error, route: error.route, code: error.code });
    return json(502, { error: "iamport_refused", message: error.message } satisfies ErrorBody);
  }
  logger.error("unhandled error", { error });
  return json(500, { error: "internal_error", message: "internal error" } satisfies ErrorBody);
}

/** A refusal names the field and the reason; it never sends back a caller's 100 KB value (or key) whole. */
const MAX_ISSUES = 20;
const MAX_FIELD_CHARS = 120;
const MAX_REASON_CHARS = 300;
const MAX_MESSAGE_CHARS = 1_000;

function boundedIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  const kept = issues.slice(0, MAX_ISSUES).map((issue) => ({
    field: bounded(issue.field, MAX_FIELD_CHARS),
    reason: bounded(issue.reason, MAX_REASON_CHARS),
  }));
  if (issues.length > MAX_ISSUES) {
    kept.push({ field: "body", reason: `and ${issues.length - MAX_ISSUES} more problems` });
  }
  return kept;
}

function bounded(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 30)}… (${text.length} characters)`;
}
