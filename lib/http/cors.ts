/**
 * CORS for the browser-called public routes only (the PC callback and the
 * status route, fetched by the merchant's result page), for the configured
 * result origins only. Merchant routes answer no CORS at all: API Gateway's
 * CORS setting is API-wide, so it stays off and these routes answer it.
 */
import type { MiddlewareObj } from "@middy/core";
import type { HttpEvent } from "./event.js";
import { type HttpResult, json } from "./response.js";

const PREFLIGHT_MAX_AGE_SECONDS = "600";

export interface CorsOptions {
  /** The result pages' origins, asked for on every request (config is read on first use). */
  origins: () => readonly string[];
  /** The route's method: the one a preflight may ask for. */
  method: "GET" | "POST";
}

/**
 * The middleware of a browser-called route: answers the preflight (`OPTIONS` on the same path, routed
 * to the same function) before anything else runs, and puts the CORS headers on every other answer,
 * a refusal or failure included (so the result page can read it). Used before the error responder,
 * so its `onError` runs after the error has become a response.
 *
 * @example
 * middy().use(requestLogger(...)).use(cors({ origins: () => config.RESULT_ORIGINS, method: "POST" })).use(errorResponder(...))
 */
export function cors(options: CorsOptions): MiddlewareObj<HttpEvent, HttpResult> {
  const answer = (request: { event: HttpEvent; response: HttpResult | null }) => {
    if (request.response) request.response = withCors(request.event, request.response, options.origins());
  };
  return {
    name: "cors",
    // A before middleware's return value is the response: the handler and the after stack never run.
    before: (request) =>
      request.event.requestContext?.http?.method === "OPTIONS"
        ? preflight(request.event, options.origins(), options.method)
        : undefined,
    after: answer,
    onError: answer,
  };
}

function originOf(event: HttpEvent): string | undefined {
  const headers = event.headers ?? {};
  return headers.origin ?? Object.entries(headers).find(([key]) => key.toLowerCase() === "origin")?.[1];
}

/** `result` with the CORS headers an allowed origin gets (and `vary: origin` for caches either way). */
export function withCors(event: HttpEvent, result: HttpResult, allowed: readonly string[]): HttpResult {
  const origin = originOf(event);
  const headers: Record<string, string | number | boolean> = { ...result.headers, vary: "origin" };
  if (origin && allowed.includes(origin)) headers["access-control-allow-origin"] = origin;
  return { ...result, headers };
}

/**
 * The answer to a preflight (`OPTIONS`): 204 for an allowed origin asking for
 * the route's method with at most `content-type`; 403 otherwise.
 */
export function preflight(event: HttpEvent, allowed: readonly string[], method: string): HttpResult {
  const origin = originOf(event);
  const headers = event.headers ?? {};
  const asked = (headers["access-control-request-method"] ?? "").toUpperCase();
  const askedHeaders = (headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  if (
    !origin ||
    !allowed.includes(origin) ||
    asked !== method ||
    askedHeaders.some((h) => h !== "content-type")
  ) {
    const refused = json(403, { error: "cors_refused", message: "origin, method or headers not allowed" });
    return { ...refused, headers: { ...refused.headers, vary: "origin" } };
  }
  return {
    statusCode: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": method,
      "access-control-allow-headers": "content-type",
      "access-control-max-age": PREFLIGHT_MAX_AGE_SECONDS,
      vary: "origin",
      "cache-control": "no-store",
    },
    body: "",
  };
}
