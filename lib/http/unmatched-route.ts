/**
 * What the `$default` route answers: a request no route of the HTTP API
 * matched. Without it API Gateway answers its own `{"message":"Not Found"}`
 * for a wrong method as for a wrong path; with it a routed path asked with
 * another method is a JSON 405 naming its methods in `Allow`, and anything
 * else a JSON 404. Nothing is read: the route table is code.
 */
import { MethodNotAllowedError, NotFoundError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { withCors } from "./cors.js";
import { errorResponse } from "./error-response.js";
import type { HttpEvent } from "./event.js";
import type { HttpResult } from "./response.js";
import { ROUTE_TABLE, type RouteEntry, routesOf } from "./route-table.js";

/**
 * The 405 or 404 for an unmatched request; on a browser-called path with the
 * CORS headers its routes answer (so the result page can read the refusal).
 *
 * @example
 * answerUnmatched(event, { origins: config.RESULT_ORIGINS, log }) // DELETE /orders → 405, allow: POST
 */
export function answerUnmatched(
  event: HttpEvent,
  options: { origins: readonly string[]; log: Logger; table?: readonly RouteEntry[] },
): HttpResult {
  const method = (event.requestContext?.http?.method ?? "").toUpperCase();
  const path = event.rawPath ?? event.requestContext?.http?.path ?? "";
  const routes = routesOf(path, options.table ?? ROUTE_TABLE);
  const allow = [...new Set(routes.map((route) => route.method))].sort();
  // A method the path has would have been routed; if API Gateway still sent it here, it is no route of ours.
  const refusal =
    allow.length > 0 && !allow.includes(method as RouteEntry["method"])
      ? new MethodNotAllowedError(method, allow)
      : new NotFoundError("route");
  const result = errorResponse(refusal, options.log);
  return routes.some((route) => route.cors) ? withCors(event, result, options.origins) : result;
}
