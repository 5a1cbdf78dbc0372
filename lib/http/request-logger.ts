/**
 * The per-request logger: a child of the function's logger carrying the
 * request id and the route, made once per invocation. The handler, the error
 * responder and anything else of the stack log through this same child, so
 * every line of a request can be found by its id.
 */
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import type { Logger } from "../observability/logger.js";
import type { HttpEvent } from "./event.js";
import type { HttpResult } from "./response.js";

export interface RequestLogger extends MiddlewareObj<HttpEvent, HttpResult> {
  /** This invocation's child logger (made here if `before` has not run, e.g. in a test). */
  of(event: HttpEvent, context: Context): Logger;
}

/**
 * @param logger the function's logger, asked for on the first request (it may read config).
 * @example
 * const log = requestLogger(() => container().logger);
 * middy().use(log).use(errorResponder({ log: log.of })).handler(async (event, context) => … log.of(event, context) …)
 */
export function requestLogger(logger: () => Logger): RequestLogger {
  // Keyed by the invocation's context, not held in a variable: the local stack runs many invocations
  // of one handler at once in one process.
  const logs = new WeakMap<Context, Logger>();
  const of = (event: HttpEvent, context: Context): Logger => {
    let log = logs.get(context);
    if (!log) {
      log = logger().child({ request_id: context.awsRequestId, route: event.routeKey });
      logs.set(context, log);
    }
    return log;
  };
  return {
    name: "requestLogger",
    before: (request) => {
      of(request.event, request.context);
    },
    of,
  };
}
