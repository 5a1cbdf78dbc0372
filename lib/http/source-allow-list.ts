/**
 * The webhook's source allow-list: iamport publishes the addresses its
 * webhooks come from, and a deployment may refuse every other caller before
 * anything is read or written. The check is a first filter only: every
 * webhook is still verified by re-reading the payment from iamport.
 */
import { ForbiddenError } from "../errors.js";
import type { HttpEvent } from "./event.js";

/**
 * Throws a ForbiddenError (403) when `allowed` is not empty and the caller's
 * address (API Gateway's `requestContext.http.sourceIp`) is not in it.
 */
export function requireAllowedSource(event: HttpEvent, allowed: readonly string[]): void {
  if (allowed.length === 0) return;
  const source = event.requestContext?.http?.sourceIp;
  if (source && allowed.includes(source)) return;
  throw new ForbiddenError(
    "this address may not send webhooks to this deployment (webhookSourceIps)",
    "source_not_allowed",
    source,
  );
}
