/**
 * API-key auth for the merchant routes: a request without one of the
 * configured keys in `x-api-key` is refused (401) before the handler runs.
 */
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareObj } from "@middy/core";
import { UnauthorizedError } from "../errors.js";
import { type HttpEvent, headerOf } from "./event.js";
import type { HttpResult } from "./response.js";

/**
 * @param keys the keys accepted, asked for on every request (the secrets reader caches them).
 * @example
 * middy().use(apiKeyAuth(() => container().secrets.merchantApiKeys()))
 */
export function apiKeyAuth(keys: () => Promise<readonly string[]>): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: "apiKeyAuth",
    // Throws, so the error responder answers the 401 like any other refusal.
    before: async (request) => {
      const given = headerOf(request.event, "x-api-key");
      if (!given || !matchesAny(given, await keys())) throw new UnauthorizedError();
    },
  };
}

/** Constant-time comparison against each configured key (no early exit on a match either). */
function matchesAny(given: string, keys: readonly string[]): boolean {
  const a = Buffer.from(given);
  let ok = false;
  for (const key of keys) {
    const b = Buffer.from(key);
    if (a.length === b.length && timingSafeEqual(a, b)) ok = true;
  }
  return ok;
}
