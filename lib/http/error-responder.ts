/**
 * The stack's error handling: whatever a middleware or the handler throws
 * becomes the HTTP answer lib/http/error-response.ts maps it to, logged
 * through the request's logger. Nothing thrown escapes to Lambda as an
 * invocation error (API Gateway would answer its own bare 500).
 */
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import type { Logger } from "../observability/logger.js";
import { errorResponse } from "./error-response.js";
import type { HttpEvent } from "./event.js";
import type { HttpResult } from "./response.js";

/**
 * @param options.log the request's logger (requestLogger's `of`).
 * @example
 * middy().use(log).use(errorResponder({ log: log.of }))
 */
export function errorResponder(options: {
  log: (event: HttpEvent, context: Context) => Logger;
}): MiddlewareObj<HttpEvent, HttpResult> {
  return {
    name: "errorResponder",
    onError: (request) => {
      request.response = errorResponse(request.error, options.log(request.event, request.context));
    },
  };
}
