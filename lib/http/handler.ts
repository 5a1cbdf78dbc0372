/**
 * The middy stack every HTTP function uses: a per-request logger, API-key
 * auth where asked, and one error-to-response mapping. Handlers stay plain
 * async functions of (event, context) → result.
 */
import { timingSafeEqual } from "node:crypto";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { withInvocationDeadline } from "../deadline.js";
import { UnauthorizedError } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import { preflight, withCors } from "./cors.js";
import { errorResponse } from "./error-response.js";
import type { HttpResult } from "./response.js";

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpFunction = (event: HttpEvent, context: Context) => Promise<HttpResult>;

export interface HttpHandlerOptions {
  logger: () => Logger;
  /** When set, requests need one of these keys in `x-api-key`. */
  apiKeys?: () => Promise<readonly string[]>;
  /**
   * Browser-called public routes only: answer CORS for these origins (the result pages'), and the
   * preflight (`OPTIONS` on the same path, routed to the same function) for `method`.
   */
  cors?: { origins: () => readonly string[]; method: "GET" | "POST" };
}

export function httpHandler(
  fn: (event: HttpEvent, log: Logger) => Promise<HttpResult>,
  options: HttpHandlerOptions,
) {
  // Keyed by the invocation's context: the local stack runs many invocations in one process.
  const logs = new WeakMap<Context, Logger>();
  const logFor = (event: HttpEvent, context: Context): Logger => {
    let log = logs.get(context);
    if (!log) {
      log = options.logger().child({ request_id: context.awsRequestId, route: event.routeKey });
      logs.set(context, log);
    }
    return log;
  };
  const { cors } = options;
  const answer = (event: HttpEvent, result: HttpResult) =>
    cors ? withCors(event, result, cors.origins()) : result;
  return (
    middy<HttpEvent, HttpResult>()
      .before(async (request) => {
        logFor(request.event, request.context);
        // A before middleware's return value is the response: the preflight never reaches the handler.
        if (cors && request.event.requestContext?.http?.method === "OPTIONS")
          return preflight(request.event, cors.origins(), cors.method);
        if (options.apiKeys) {
          const given = headerOf(request.event, "x-api-key");
          if (!given || !matchesAny(given, await options.apiKeys())) throw new UnauthorizedError();
        }
      })
      .onError(async (request) => {
        request.response = answer(
          request.event,
          errorResponse(request.error, logFor(request.event, request.context)),
        );
      })
      // Every iamport call is bounded by the time Lambda leaves, less a margin to answer in.
      .handler(async (event, context) =>
        answer(event, await withInvocationDeadline(context, () => fn(event, logFor(event, context)))),
      )
  );
}

export function headerOf(event: HttpEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/** Constant-time comparison against each configured key. */
function matchesAny(given: string, keys: readonly string[]): boolean {
  const a = Buffer.from(given);
  let ok = false;
  for (const key of keys) {
    const b = Buffer.from(key);
    if (a.length === b.length && timingSafeEqual(a, b)) ok = true;
  }
  return ok;
}
